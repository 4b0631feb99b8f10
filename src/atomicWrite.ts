/** Files are never left half-written: write a temporary file beside the target, then rename. */
import fs from 'node:fs'
import path from 'node:path'
import {AxqError} from './errors.js'
import {fileProblem} from './fileProblem.js'

export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  const dir = path.dirname(path.resolve(file))
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`)
  try {
    fs.writeFileSync(tmp, data)
    fs.renameSync(tmp, file)
  } catch (error) {
    try {
      fs.rmSync(tmp, {force: true})
    } catch {
      // nothing was written (e.g. the folder is a file)
    }
    throw new AxqError(`cannot write ${file}: ${fileProblem(error, dir)}`, {subject: file, cause: error})
  }
}

