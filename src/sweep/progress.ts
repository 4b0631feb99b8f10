/** A progress line with an ETA for work made of similar items: "12/72 jobs, 3.1 s each, ETA 3m05s". */
export class ProgressLine {
  private readonly started = process.hrtime.bigint()

  constructor(private readonly total: number, private readonly unit: string) {}

  format(done: number): string {
    const elapsed = Number(process.hrtime.bigint() - this.started) / 1e9
    const each = done > 0 ? elapsed / done : undefined
    const eta = each === undefined ? '' : `, ETA ${formatDuration(each * (this.total - done))}`
    return `${done}/${this.total} ${this.unit}${each === undefined ? '' : `, ${each.toFixed(1)} s each`}${eta}`
  }
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
}
