/**
 * Hostile C models: the compiler and the harness run under rlimits in a private folder
 * (src/mults/formats/sandbox.ts); every failure is one clear message without temporary paths.
 */
import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import {evaluateCModel} from '../../src/mults/formats/cModel.js'
import {describeFailure, EVALUATE_LIMITS, limitedCommand} from '../../src/mults/formats/sandbox.js'

const models: [string, string, RegExp][] = [
  ['crash', 'unsigned short crash(unsigned char a, unsigned char b) { if (a == 7) { volatile int *p = 0; *p = 1; } return a * b; }', /^crash\.c: evaluating crash crashed \(SIGSEGV, segmentation fault\)$/],
  ['divz', 'unsigned short divz(unsigned char a, unsigned char b) { volatile int z = 0; return (a * b) / z; }', /^divz\.c: evaluating divz crashed \(SIGFPE, arithmetic error, e\.g\. a division by zero\)$/],
  ['spam', '#include <stdio.h>\nunsigned short spam(unsigned char a, unsigned char b) { for (int i = 0; i < 100000; i++) puts("spam spam spam spam spam"); return a * b; }', /^spam\.c: evaluating spam wrote more than 1 MiB to its output$/],
  ['bigfile', '#include <stdio.h>\nunsigned short bigfile(unsigned char a, unsigned char b) { static char buf[1 << 20]; static int done; if (!done) { FILE *f = fopen("junk", "wb"); for (int i = 0; i < 64; i++) fwrite(buf, 1, sizeof buf, f); fclose(f); done = 1; } return a * b; }', /^bigfile\.c: evaluating bigfile wrote a file larger than 1 MiB$/],
  ['membomb', '#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\nchar *volatile keep;\nunsigned short membomb(unsigned char a, unsigned char b) { for (;;) { char *p = malloc(1 << 26); if (!p) { fputs("out of memory\\n", stderr); exit(5); } memset(p, 1, 1 << 26); keep = p; } }', /^membomb\.c: evaluating membomb failed: out of memory$/],
  // The example: the compiler reading a device grew to 21 GB; now it stops at its limit.
  ['devzero', '#include "/dev/zero"\nunsigned short devzero(unsigned char a, unsigned char b) { return a * b; }', /^devzero\.c: does not compile: .*(out of memory|memory exhausted|Killed|crashed|CPU)/],
]

for (const [name, source, expected] of models) {
  t.test(`${name}: one clear message, no temporary path, nothing left behind`, async (t) => {
    const before = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('axq-cmodel-'))
    const started = Date.now()
    const error = await evaluateCModel(`${name}.c`, source, name).then(() => undefined, (e: Error) => e)
    t.equal(error?.name, 'AxqError')
    t.match(error?.message, expected)
    t.notMatch(error?.message, /axq-cmodel-|harness|\n/, 'no temporary folder, no harness command line, one line')
    t.ok(Date.now() - started < 60_000, 'within the limits')
    t.same(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('axq-cmodel-') && !before.includes(f)), [], 'the private folder is removed')
  })
}

t.test('the limits are rlimits on the command line (prlimit, else sh ulimit)', async (t) => {
  const [cmd, args] = limitedCommand('/bin/true', ['x'], EVALUATE_LIMITS)
  if (cmd.endsWith('prlimit')) t.same(args, [`--as=${256 << 20}`, '--cpu=30', `--fsize=${1 << 20}`, '--core=0', '--', '/bin/true', 'x'])
  else t.match(args[1], /ulimit -v 262144 && ulimit -t 30 && ulimit -f 2048/)
  t.equal(describeFailure({kind: 'signal', signal: 'SIGXCPU', stderr: ''}, EVALUATE_LIMITS), 'used more than its 30 s of CPU time')
})
