/**
 * Next calls register() once as the server starts: the lab's hub is created then, not at the first
 * request, so a malformed setting (REDIS_URL, LAB_REDIS_PREFIX) stops the server with its name
 * instead of failing every request, and a shared instance joins its fleet before anyone calls it.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startLab } = await import("./lib/lab/startup");
  startLab();
}
