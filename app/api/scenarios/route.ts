import { scenarioSchema } from "@/lib/api/schemas";
import { getHub } from "@/lib/lab/instance";
import { json, MAX_SCENARIO_BODY_BYTES, mutation, readBody, route } from "@/lib/lab/http";

export const dynamic = "force-dynamic";

export const GET = route(() => json({ scenarios: getHub().listScenarios() }));

export const POST = mutation(async (request) => {
  const scenario = await readBody(request, scenarioSchema, { maxBytes: MAX_SCENARIO_BODY_BYTES });
  return json(getHub().saveScenario(scenario), 201);
});
