import { breakerActionSchema } from "@/lib/api/schemas";
import { getHub } from "@/lib/lab/instance";
import { json, mutation, nameOf, readBody } from "@/lib/lab/http";

export const dynamic = "force-dynamic";

export const POST = mutation(async (request, context: RouteContext<"/api/breakers/[name]/actions">) => {
  const name = await nameOf(context);
  getHub().requireBreaker(name);
  const { action } = await readBody(request, breakerActionSchema);
  return json(getHub().act(name, action));
});
