import { getHub } from "@/lib/lab/instance";
import { json, route } from "@/lib/lab/http";

export const dynamic = "force-dynamic";

export const GET = route(() => json(getHub().mockTraffic()));
