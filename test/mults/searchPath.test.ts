import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import {AxqError} from '../../src/errors.js'
import {listMultipliers} from '../../src/mults/catalog.js'
import {resolveMultiplier} from '../../src/mults/resolve.js'
import {searchFolders} from '../../src/mults/searchPath.js'

t.test('a --mult-dir that is not a folder is an error, not a silent fall-through to the built-ins', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-searchpath-'))
  t.teardown(() => fs.rmSync(root, {recursive: true, force: true}))
  const env = {AXQ_HOME: path.join(root, 'home'), AXQ_MULT_PATH: path.join(root, 'missing-on-path')}
  const missing = path.join(root, 'axmul')
  const file = path.join(root, 'table.bin')
  fs.writeFileSync(file, '')
  t.throws(() => searchFolders({multDirs: [missing], env}), new AxqError(`--mult-dir ${missing}: no such folder`, {subject: '--mult-dir'}))
  t.throws(() => resolveMultiplier('mul8u_1JFF', {multDirs: [missing], env}), {message: `--mult-dir ${missing}: no such folder`, subject: '--mult-dir'})
  t.throws(() => listMultipliers({multDirs: [missing], env}), /no such folder/)
  t.throws(() => searchFolders({multDirs: [file], env}), {message: `--mult-dir ${file}: not a folder (a .bin table is given to --mult as a path)`})
  // missing AXQ_MULT_PATH entries and user folder are skipped, as PATH entries are
  t.same(searchFolders({multDirs: [root], env}).map((f) => f.kind), ['mult-dir', 'AXQ_MULT_PATH', 'user'])
  t.equal(resolveMultiplier('mul8u_1JFF', {multDirs: [root], env}).source, 'built-in')
})
