import { getHub } from "@/lib/lab/instance";
import { route } from "@/lib/lab/http";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const metrics = getHub().metrics;
  return new Response(await metrics.render(), {
    headers: { "Content-Type": metrics.contentType, "Cache-Control": "no-store" },
  });
});
