/**
 * The Redis server behind `--queue redis://HOST:PORT[/DB]`: URL → BullMQ connection options, and
 * a reachability check with a short timeout, so an unreachable server is one clear error instead
 * of BullMQ's endless reconnecting.
 */
import type {RedisOptions} from 'bullmq'
import {Redis} from 'ioredis'
import {AxqError} from '../errors.js'

/** The BullMQ queue all of axq's evaluation jobs go through. */
export const QUEUE_NAME = 'axq-evaluations'

export function redisOptions(url: string): RedisOptions {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new AxqError(`--queue '${url}': not a URL; expected redis://HOST:PORT`, {subject: '--queue', exitCode: 2})
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new AxqError(`--queue '${url}': expected a redis:// or rediss:// URL`, {subject: '--queue', exitCode: 2})
  }
  const db = parsed.pathname.replace(/^\//, '')
  if (db !== '' && !/^\d+$/.test(db)) throw new AxqError(`--queue '${url}': the path must be a database number (redis://HOST:PORT/0)`, {subject: '--queue', exitCode: 2})
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.username ? {username: decodeURIComponent(parsed.username)} : {}),
    ...(parsed.password ? {password: decodeURIComponent(parsed.password)} : {}),
    ...(db !== '' ? {db: Number(db)} : {}),
    ...(parsed.protocol === 'rediss:' ? {tls: {}} : {}),
    // BullMQ's blocking connections need this; its own reconnecting handles outages.
    maxRetriesPerRequest: null,
  }
}

/** Connect once, PING, disconnect; an AxqError naming the URL when that fails within `timeoutMs`. */
export async function checkRedis(url: string, timeoutMs = 3000): Promise<void> {
  const {host, port, username, password, db, tls} = redisOptions(url)
  const client = new Redis({host, port, username, password, db, tls, lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false})
  // connect() only says "Connection is closed."; the socket's own error comes as an event
  let socketError: Error | undefined
  client.on('error', (error: Error) => (socketError ??= error))
  try {
    await client.connect()
    await client.ping()
  } catch (error) {
    const e = (socketError ?? error) as NodeJS.ErrnoException
    const why = e.code === 'ECONNREFUSED' ? 'connection refused'
      : e.code === 'ETIMEDOUT' ? `no answer within ${timeoutMs / 1000} s`
      : /RESP|Protocol error/i.test(e.message) ? 'the server there does not speak the Redis protocol'
      : (e.code ?? e.message)
    throw new AxqError(`--queue ${url}: cannot reach Redis (${why}); is redis-server running there?`, {subject: '--queue', cause: error})
  } finally {
    client.disconnect()
  }
}
