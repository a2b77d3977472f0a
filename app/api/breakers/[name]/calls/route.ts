import { fireCallsSchema } from "@/lib/api/schemas";
import { getHub } from "@/lib/lab/instance";
import { json, mutation, nameOf, readBody } from "@/lib/lab/http";

export const dynamic = "force-dynamic";

export const POST = mutation(async (request, context: RouteContext<"/api/breakers/[name]/calls">) => {
  const name = await nameOf(context);
  getHub().requireBreaker(name);
  const { count = 1, concurrency = 1, retries = 0, retryDelayMs = 100 } = await readBody(request, fireCallsSchema, { optional: true });
  return json(await getHub().fireCalls(name, count, concurrency, request.signal, { retries, retryDelayMs }));
});
