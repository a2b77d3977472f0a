"use client";

import { useEffect, useRef, useState, type FormEvent } from "react";
import { labToken, onTokenRequired } from "@/lib/client/api";
import { button, formControl, FOCUS_RING } from "./styles";

/** Asks once for the lab's token when the API answers 401, and keeps it for this browser session. */
export function TokenDialog() {
  const dialog = useRef<HTMLDialogElement>(null);
  const [token, setToken] = useState("");
  const [rejected, setRejected] = useState(false);

  useEffect(
    () =>
      onTokenRequired(() => {
        setRejected(labToken.get() !== null);
        if (!dialog.current?.open) dialog.current?.showModal();
      }),
    [],
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    labToken.set(token.trim());
    dialog.current?.close();
  };

  return (
    <dialog
      ref={dialog}
      data-testid="token-dialog"
      className={`m-auto w-full max-w-sm rounded-xl border border-slate-300 bg-white p-5 text-slate-900 shadow-xl backdrop:bg-slate-950/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 ${FOCUS_RING}`}
    >
      <form onSubmit={submit} className="space-y-3">
        <h2 className="text-lg font-semibold">This lab needs a token</h2>
        <p className="text-sm text-fg-secondary">
          {rejected ? "That token was not accepted. " : ""}The server was started with LAB_TOKEN; changes need it. It is kept for this
          browser session only.
        </p>
        <label className="block text-sm">
          <span className="text-fg-secondary">Token</span>
          <input
            data-testid="token-input"
            type="password"
            autoComplete="off"
            required
            className={formControl({ className: "mt-1 block w-full" })}
            value={token}
            onChange={(event) => setToken(event.target.value)}
          />
        </label>
        <div className="flex justify-end gap-2">
          <button type="button" className={button()} onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="submit" className={button({ tone: "primary" })} data-testid="token-save">
            Save token
          </button>
        </div>
      </form>
    </dialog>
  );
}
