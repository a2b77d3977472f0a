import { getHub } from "@/lib/lab/instance";
import { route } from "@/lib/lab/http";
import { eventStream } from "@/lib/lab/sse";

export const dynamic = "force-dynamic";

export const GET = route((request) => eventStream(getHub(), request.signal));
