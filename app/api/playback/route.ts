import { playbackSchema } from "@/lib/api/schemas";
import { getHub } from "@/lib/lab/instance";
import { json, MAX_SCENARIO_BODY_BYTES, mutation, readBody, route } from "@/lib/lab/http";

export const dynamic = "force-dynamic";

export const GET = route(() => json(getHub().playback()));

export const POST = mutation(async (request) => {
  const { scenario } = await readBody(request, playbackSchema, { maxBytes: MAX_SCENARIO_BODY_BYTES });
  return json(getHub().play(scenario));
});

export const DELETE = mutation(() => json(getHub().stopPlayback()));
