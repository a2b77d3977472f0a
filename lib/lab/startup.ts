import { getHub } from "./instance";

/** Create the lab's hub as the server starts, or end the process naming the setting that is wrong. */
export function startLab(): void {
  try {
    getHub();
  } catch (error) {
    console.error(`Breaker Lab cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
