/** How many of each kind of active resource (socket, timer, file handle…) the process holds. */
export function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

/**
 * Waits (turn by turn, 3 s at most) until the active resources are back to `before`; what is
 * still in excess then (the terminal's TTYWrap aside), by kind: `{}` when nothing is left.
 */
export async function settlesTo(before: Record<string, number>): Promise<Record<string, number>> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const now = resources();
    const extra = Object.fromEntries(
      Object.entries(now).filter(([k, v]) => v > (before[k] ?? 0) && k !== 'TTYWrap'),
    );
    if (Object.keys(extra).length === 0 || Date.now() > deadline) return extra;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
