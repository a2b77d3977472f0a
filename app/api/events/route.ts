import { eventsQuerySchema } from "@/lib/api/schemas";
import { getHub } from "@/lib/lab/instance";
import { readQuery, route } from "@/lib/lab/http";
import { eventStream } from "@/lib/lab/sse";

export const dynamic = "force-dynamic";

export const GET = route((request) => {
  const { compact } = readQuery(request, eventsQuerySchema);
  return eventStream(getHub(), request.signal, compact === "1" ? "compact" : "full");
});
