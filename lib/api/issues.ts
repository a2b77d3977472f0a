import { errorMessage } from "./errors";
import type { z } from "zod";
import { describeValue } from "@/lib/breaker/options";

/** One problem with a request body, named by its field (a dotted path such as `options.openMs`). */
export interface FieldProblem {
  field?: string;
  message: string;
}

/** Turn a zod issue into a message a person can act on, naming the field and the bad value. */
export function describeIssue(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[] = []): FieldProblem {
  const path = [...prefix, ...issue.path].map(String);
  if (issue.code === "invalid_union") {
    // A union of a string and an object (a name or an inline value): the branch that matches the
    // input's type says what is wrong inside it, which beats "must be one of these".
    const matching = issue.errors.find((branch) => branch.length > 0 && !(branch[0]!.code === "invalid_type" && branch[0]!.path.length === 0));
    if (matching) return describeIssue(matching[0]!, [...prefix, ...issue.path]);
  }
  if (issue.code === "invalid_key") {
    const field = path.join(".");
    const inner = issue.issues[0];
    return { field, message: `${field}: the key ${describeValue(issue.input)} ${inner?.message ?? "is not allowed"}` };
  }
  if (issue.code === "unrecognized_keys") {
    const field = [...path, issue.keys[0]!].join(".");
    return { field, message: `Unknown field "${field}"` };
  }
  const field = path.join(".");
  if (field === "") return { message: `The body must be a JSON object, got ${describeValue(issue.input)}` };
  const got = "input" in issue ? `, got ${describeValue(issue.input)}` : "";
  return { field, message: `${field} ${issue.message}${got}` };
}

/** The first problem of a failed parse: what an API error or a form shows. */
export function firstProblem(error: z.ZodError, prefix: readonly PropertyKey[] = []): FieldProblem {
  return describeIssue(error.issues[0]!, prefix);
}

/** The problem a thrown error names: its `field` when it carries one (an API refusal, a library option error mapped to it), and its message. */
export function problemOf(error: unknown): FieldProblem {
  const field = (error as { field?: unknown } | null)?.field;
  return { ...(typeof field === "string" ? { field } : {}), message: errorMessage(error) };
}
