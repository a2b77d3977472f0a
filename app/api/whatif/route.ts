import { whatIfInputSchema } from "@/lib/api/schemas";
import { getHub } from "@/lib/lab/instance";
import { json, MAX_SCENARIO_BODY_BYTES, mutation, readBody } from "@/lib/lab/http";

export const dynamic = "force-dynamic";

export const POST = mutation(async (request) => {
  const input = await readBody(request, whatIfInputSchema, { maxBytes: MAX_SCENARIO_BODY_BYTES });
  return json(await getHub().whatIf(input, request.signal));
});
