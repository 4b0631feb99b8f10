/**
 * Why a file could not be read or written, in words for an error message ("cannot read X: <this>").
 * `dir` is the folder a write went to: a missing or non-folder parent is then named.
 */
export function fileProblem(error: unknown, dir?: string): string {
  const e = error as NodeJS.ErrnoException
  switch (e?.code) {
    case 'ENOENT':
      return dir === undefined ? 'no such file' : `no such folder ${dir}`
    case 'EISDIR':
      return 'it is a folder'
    case 'ENOTDIR':
      return dir === undefined ? 'a part of the path is not a folder' : `${dir} is not a folder`
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${e.code})`
    case 'EROFS':
      return 'read-only file system'
    case 'ENOSPC':
      return 'no space left on the device'
    default:
      return e?.code ?? (error instanceof Error ? error.message : String(error))
  }
}
