/**
 * The one place that loads the native kernel library (cpp/, built by cmake-js into
 * build/Release/axq_native.node). Everything native goes through the typed interface below.
 */
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'
import path from 'node:path'
import {AxqError} from '../errors.js'

export interface NativeBinding {
  version(): string
  [name: string]: unknown
}

let cached: NativeBinding | undefined

/** Package root (the folder holding package.json), from dist/src/native/. */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/**
 * The library file: build/Release/axq_native.node, or AXQ_NATIVE_LIB (an absolute path; CI points
 * it at the sanitizer build in build-asan/).
 */
export function nativeLibraryPath(): string {
  return process.env.AXQ_NATIVE_LIB || path.join(packageRoot, 'build', 'Release', 'axq_native.node')
}

export function native(): NativeBinding {
  if (cached) return cached
  const file = nativeLibraryPath()
  try {
    const require = createRequire(import.meta.url)
    cached = require(file) as NativeBinding
  } catch (error) {
    throw new AxqError(`cannot load the native kernel library ${file}: run 'npm install' (or 'npm run build:native') first (${(error as Error).message.split('\n')[0]})`)
  }
  return cached
}

/** The library's function `name`, or an error saying to rebuild it (an older build lacks it). */
export function nativeFunction<T>(name: string): T {
  const fn = native()[name]
  if (typeof fn !== 'function') throw new AxqError(`the native library lacks ${name}: rebuild it with npm run build:native`)
  return fn as T
}
