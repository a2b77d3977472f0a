import { breakerOptionsSchema } from "@/lib/api/schemas";
import { getHub } from "@/lib/lab/instance";
import { json, mutation, nameOf, noContent, readBody, route } from "@/lib/lab/http";

export const dynamic = "force-dynamic";

export const GET = route(async (_request, context: RouteContext<"/api/breakers/[name]">) => json(getHub().getBreaker(await nameOf(context))));

export const PATCH = mutation(async (request, context: RouteContext<"/api/breakers/[name]">) => {
  const name = await nameOf(context);
  getHub().requireBreaker(name);
  const patch = await readBody(request, breakerOptionsSchema);
  return json(getHub().configureBreaker(name, patch));
});

export const DELETE = mutation(async (_request, context: RouteContext<"/api/breakers/[name]">) => {
  getHub().deleteBreaker(await nameOf(context));
  return noContent();
});
