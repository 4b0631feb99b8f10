/**
 * Shards of a sweep (`--shard I/N`, a Slurm array task each): job k of the grid (0-based, grid
 * order) belongs to shard (k mod N) + 1. Round-robin keeps the shards equally long and mixes
 * cheap and expensive settings; it depends only on the grid, so every task computes the same split.
 */
import {AxqError} from '../errors.js'

export interface Shard {
  /** 1-based. */
  index: number
  count: number
}

export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text)
  if (!m) throw new AxqError(`--shard '${text}': expected I/N, e.g. 2/3 (shard I of N, I from 1 to N)`, {subject: '--shard'})
  const index = Number(m[1])
  const count = Number(m[2])
  if (count < 1 || index < 1 || index > count) {
    throw new AxqError(`--shard ${index}/${count}: I must be from 1 to N${count >= 1 ? ` (1/${count} … ${count}/${count})` : ''}`, {subject: '--shard'})
  }
  return {index, count}
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`
}

/** The shard a grid position belongs to. */
export function shardOf(position: number, count: number): number {
  return (position % count) + 1
}

export function inShard<T extends {index: number}>(jobs: readonly T[], shard: Shard): T[] {
  return jobs.filter((j) => shardOf(j.index, shard.count) === shard.index)
}
