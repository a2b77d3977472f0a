import { endpointPatchSchema } from "@/lib/api/schemas";
import { getHub } from "@/lib/lab/instance";
import { json, mutation, nameOf, readBody, route } from "@/lib/lab/http";

export const dynamic = "force-dynamic";

export const GET = route(async (_request, context: RouteContext<"/api/endpoints/[name]">) => json(getHub().getEndpoint(await nameOf(context))));

export const PATCH = mutation(async (request, context: RouteContext<"/api/endpoints/[name]">) => {
  const name = await nameOf(context);
  getHub().requireEndpoint(name);
  const patch = await readBody(request, endpointPatchSchema);
  return json(getHub().patchEndpoint(name, patch));
});
