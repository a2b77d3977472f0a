import type { SecondSample } from "./run";

/**
 * The soak's seconds as an SVG chart, one panel per measure over the same time axis, so that a
 * regression (a climbing heap, a stalled event loop) is seen at a glance rather than read off a table.
 */

interface Panel {
  title: string;
  unit: string;
  value: (sample: SecondSample) => number;
  /** A goal to draw as a dashed line. */
  goal?: number;
}

const PANELS: Panel[] = [
  { title: "event-loop delay p99", unit: "ms", value: (sample) => sample.eventLoopDelayP99Ms, goal: 50 },
  { title: "RSS", unit: "MB", value: (sample) => sample.rssBytes / 1e6, goal: 300 },
  { title: "heap used", unit: "MB", value: (sample) => sample.heapUsedBytes / 1e6 },
  { title: "stream bytes per client", unit: "KB/s", value: (sample) => sample.bytesPerClient / 1e3, goal: 40 },
  { title: "calls answered", unit: "/s", value: (sample) => sample.calls },
  { title: "live clients", unit: "", value: (sample) => sample.sseClients },
];

const WIDTH = 720;
const PANEL_HEIGHT = 90;
const LEFT = 60;
const RIGHT = 12;
const TOP = 22;
const GAP = 18;
const BOTTOM = 18;

const round = (value: number) => Math.round(value * 10) / 10;

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
}

/** An SVG document charting `samples`. */
export function soakChart(samples: readonly SecondSample[], title: string): string {
  const height = TOP + PANELS.length * (PANEL_HEIGHT + GAP) + BOTTOM;
  const lastSecond = Math.max(1, ...samples.map((sample) => sample.second));
  const x = (second: number) => LEFT + (second / lastSecond) * (WIDTH - LEFT - RIGHT);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${LEFT}" y="14" font-size="13" font-weight="bold">${escape(title)}</text>`,
  ];
  PANELS.forEach((panel, index) => {
    const top = TOP + index * (PANEL_HEIGHT + GAP) + GAP;
    const values = samples.map(panel.value);
    const max = Math.max(1, panel.goal ?? 0, ...values) * 1.1;
    const y = (value: number) => top + PANEL_HEIGHT - (value / max) * PANEL_HEIGHT;
    const worst = values.length > 0 ? Math.max(...values) : 0;
    parts.push(
      `<text x="${LEFT}" y="${top - 4}">${escape(panel.title)} (${panel.unit || "count"}) — worst ${round(worst)}</text>`,
      `<rect x="${LEFT}" y="${top}" width="${WIDTH - LEFT - RIGHT}" height="${PANEL_HEIGHT}" fill="#f8fafc" stroke="#cbd5e1"/>`,
      `<text x="${LEFT - 6}" y="${top + 10}" text-anchor="end">${round(max)}</text>`,
      `<text x="${LEFT - 6}" y="${top + PANEL_HEIGHT}" text-anchor="end">0</text>`,
    );
    if (panel.goal !== undefined) {
      parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(panel.goal)}" y2="${y(panel.goal)}" stroke="#dc2626" stroke-dasharray="4 3"/>`);
    }
    const points = samples.map((sample, sampleIndex) => `${round(x(sample.second))},${round(y(values[sampleIndex]!))}`).join(" ");
    parts.push(`<polyline points="${points}" fill="none" stroke="#0369a1" stroke-width="1.5"/>`);
  });
  const bottom = height - 4;
  parts.push(`<text x="${LEFT}" y="${bottom}">0 s</text>`, `<text x="${WIDTH - RIGHT}" y="${bottom}" text-anchor="end">${lastSecond} s</text>`, `</svg>`);
  return parts.join("\n");
}

/** Every tenth second (and the worst one of the event loop) as a markdown table. */
export function formatSeconds(samples: readonly SecondSample[]): string {
  const worst = samples.reduce<SecondSample | undefined>((found, sample) => (found === undefined || sample.eventLoopDelayP99Ms > found.eventLoopDelayP99Ms ? sample : found), undefined);
  const shown = samples.filter((sample, index) => index % 10 === 9 || sample === worst);
  const rows = shown.map(
    (sample) =>
      `| ${sample.second}${sample === worst ? " (worst)" : ""} | ${sample.eventLoopDelayP99Ms.toFixed(1)} | ${(sample.heapUsedBytes / 1e6).toFixed(0)} | ${(sample.rssBytes / 1e6).toFixed(0)} | ${sample.sseClients} | ${(sample.bytesPerClient / 1e3).toFixed(1)} | ${sample.calls} |`,
  );
  return ["| second | event-loop p99 ms | heap MB | RSS MB | live clients | KB/s per client | calls |", "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |", ...rows].join("\n");
}
