import { labResetSchema } from "@/lib/api/schemas";
import { getHub } from "@/lib/lab/instance";
import { json, mutation, readBody } from "@/lib/lab/http";

export const dynamic = "force-dynamic";

export const POST = mutation(async (request) => {
  await readBody(request, labResetSchema, { optional: true });
  getHub().resetLab();
  return json(getHub().state());
});
