// A stable colour per user, the same for presence carets and for the attribution view.
const COLOURS = ["#b5179e", "#3a0ca3", "#0077b6", "#2a9d8f", "#588157", "#bc6c25", "#d62828", "#6d597a"];

export function userColour(userId: string): string {
  let h = 0;
  for (const ch of userId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return COLOURS[h % COLOURS.length];
}
