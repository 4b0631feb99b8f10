/** Property-based fuzzing of the GraphDef readers, binary and text (see test/helpers/fuzz.ts). */
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import {decodeGraph} from '../../src/graph/graphIO.js'
import {parseTextGraph} from '../../src/graph/textFormat.js'
import {summarizeGraph} from '../../src/graph/graphSummary.js'
import {fixturesDir} from '../helpers/paths.js'
import {fuzzParser, hostileBytes, hostileText} from '../helpers/fuzz.js'

const binary = fs.readFileSync(path.join(fixturesDir, 'graph', 'small.pb'))
const text = fs.readFileSync(path.join(fixturesDir, 'graph', 'small.pbtxt'), 'latin1')

t.test('binary GraphDef: decode, then inspect what decodes', async (t) => {
  fuzzParser(t, 'GraphDef (binary)', hostileBytes([binary]), (bytes) => summarizeGraph(decodeGraph(bytes, 'fuzz.pb')))
})

t.test('text-format GraphDef', async (t) => {
  fuzzParser(t, 'GraphDef (text)', hostileText([text]), (s) => parseTextGraph(s, 'fuzz.pbtxt'))
})
