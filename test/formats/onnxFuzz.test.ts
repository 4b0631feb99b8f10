/** Property-based fuzzing of the ONNX model reader (see test/helpers/fuzz.ts). */
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import '../../src/runtime/ops/onnx/index.js'
import {decodeOnnxModel} from '../../src/formats/onnx/onnxModel.js'
import {fixturesDir} from '../helpers/paths.js'
import {fuzzParser, hostileBytes} from '../helpers/fuzz.js'

t.test('ONNX ModelProto', async (t) => {
  const seeds = ['tiny_cnn.onnx', 'tiny_cnn.qdq.u8u8.onnx', 'tiny_cnn.qop.s8s8.onnx'].map((f) => fs.readFileSync(path.join(fixturesDir, 'onnx', f)))
  fuzzParser(t, 'ONNX model', hostileBytes(seeds), (bytes) => decodeOnnxModel(bytes, 'fuzz.onnx'), 200)
})
