import { scenarioSchema } from "@/lib/api/schemas";
import { getHub } from "@/lib/lab/instance";
import { json, MAX_SCENARIO_BODY_BYTES, mutation, nameOf, noContent, readBody, route } from "@/lib/lab/http";

export const dynamic = "force-dynamic";

export const GET = route(async (_request, context: RouteContext<"/api/scenarios/[name]">) => json(getHub().getScenario(await nameOf(context))));

export const PUT = mutation(async (request, context: RouteContext<"/api/scenarios/[name]">) => {
  const name = await nameOf(context);
  getHub().requireReplaceableScenario(name);
  const scenario = await readBody(request, scenarioSchema, { maxBytes: MAX_SCENARIO_BODY_BYTES });
  return json(getHub().replaceScenario(name, scenario));
});

export const DELETE = mutation(async (_request, context: RouteContext<"/api/scenarios/[name]">) => {
  getHub().deleteScenario(await nameOf(context));
  return noContent();
});
