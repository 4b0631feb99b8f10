// Every model `axq quantize` writes runs in onnxruntime itself (onnxruntime-node) and gives the same
// logits, bit for bit, as the model onnxruntime's quantize_static wrote from the same float model and
// calibration ranges: both example models, QDQ and QOperator, u8u8 and s8s8, per tensor and per
// channel, on the first CIFAR-10 test images. The axq-written QOperator files also run in axq's
// executor bit-exact with onnxruntime.
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'

import {quantizeFile} from '../../../../src/formats/onnx/quantize/quantizeFile.js'
import type {QuantType} from '../../../../src/formats/onnx/quantize/params.js'
import {readOnnxModel} from '../../../../src/formats/onnx/onnxModel.js'
import {OnnxSession} from '../../../../src/formats/onnx/onnxSession.js'
import {cifarInput, differing, ortLogits} from '../../../helpers/onnxruntime.js'
import {hasShared, repoRoot} from '../../../helpers/paths.js'

const examples = path.join(repoRoot, 'examples', 'onnx')
const IMAGES = 48
const manifest = JSON.parse(fs.readFileSync(path.join(examples, 'models.json'), 'utf8')) as {
  models: {file: string; model: string; format: string; activation_type: string; weight_type: string; per_channel: boolean}[]
}
const dir = t.testdir({})

for (const entry of manifest.models.filter((e) => e.format !== 'float')) {
  t.test(`axq's ${entry.file}: same logits in onnxruntime as onnxruntime's own`, {skip: hasShared ? false : 'needs ../shared'}, async (t) => {
    const out = path.join(dir, entry.file)
    quantizeFile({
      model: path.join(examples, `${entry.model}.onnx`),
      out,
      format: entry.format === 'QDQ' ? 'qdq' : 'qoperator',
      calibrationCache: path.join(examples, 'calibration', `${entry.model}.minmax.json`),
      activationType: entry.activation_type as QuantType,
      weightType: entry.weight_type as QuantType,
      perChannel: entry.per_channel,
      reduceRange: false,
      nodesToExclude: new Set(),
    })
    const reference = path.join(examples, entry.file)
    const x = cifarInput(reference, IMAGES)
    const want = await ortLogits(reference, x)
    const got = await ortLogits(out, x)
    t.equal(got.length, IMAGES * 10)
    t.equal(differing(got, want), 0, `${IMAGES} images × 10 logits bitwise equal`)
    if (entry.format === 'QOperator') {
      const model = readOnnxModel(out)
      const [y] = await new OnnxSession(model, {threads: 2}).run({[model.inputs[0].name]: x}, [model.outputs[0].name])
      t.equal(differing(y.data as Float32Array, want), 0, "axq's executor on axq's file: identical too")
    }
  })
}
