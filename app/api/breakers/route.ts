import { createBreakerSchema } from "@/lib/api/schemas";
import { getHub } from "@/lib/lab/instance";
import { json, mutation, readBody, route } from "@/lib/lab/http";

export const dynamic = "force-dynamic";

export const GET = route(() => json({ breakers: getHub().listBreakers() }));

export const POST = mutation(async (request) => {
  const input = await readBody(request, createBreakerSchema);
  return json(getHub().createBreaker(input), 201);
});
