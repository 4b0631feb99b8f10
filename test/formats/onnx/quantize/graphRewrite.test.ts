// axq's QDQ and QOperator rewrites against onnxruntime's quantize_static (quant_format=QDQ and
// QOperator): from the float example models and the ranges onnxruntime calibrated, the quantized
// graph must have the same nodes (type, name, domain, inputs, outputs, attributes) and the same
// initializers (type, shape, values) as the model onnxruntime wrote, for both models, u8u8 and
// s8s8, per tensor and per channel.
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'

import {quantizeQdq} from '../../../../src/formats/onnx/quantize/qdq.js'
import type {QuantizeOptions} from '../../../../src/formats/onnx/quantize/rewrite.js'
import {quantizeQOperator} from '../../../../src/formats/onnx/quantize/qoperator.js'
import {readCalibrationCache} from '../../../../src/formats/onnx/quantize/calibrationCache.js'
import {onnx} from '../../../../src/formats/onnx/quantize/tensorProto.js'
import {describeInitializer, describeNode} from '../../../helpers/onnxGraph.js'
import type {QuantType} from '../../../../src/formats/onnx/quantize/params.js'
import {repoRoot} from '../../../helpers/paths.js'

const examples = path.join(repoRoot, 'examples', 'onnx')
const load = (file: string) => onnx.ModelProto.decode(fs.readFileSync(path.join(examples, file)))

const manifest = JSON.parse(fs.readFileSync(path.join(examples, 'models.json'), 'utf8')) as {
  models: {file: string; model: string; format: string; activation_type: string; weight_type: string; per_channel: boolean}[]
}

for (const entry of manifest.models.filter((e) => e.format !== 'float')) {
  t.test(`${entry.file}: same graph as onnxruntime's`, async (t) => {
    const ranges = readCalibrationCache(path.join(examples, 'calibration', `${entry.model}.minmax.json`))
    const quantize = entry.format === 'QDQ' ? quantizeQdq : quantizeQOperator
    const ours = quantize(load(`${entry.model}.onnx`), ranges, {
      activationType: entry.activation_type as QuantType,
      weightType: entry.weight_type as QuantType,
      perChannel: entry.per_channel,
      reduceRange: false,
      nodesToExclude: new Set(),
    } satisfies QuantizeOptions)
    const theirs = load(entry.file)
    if (entry.format === 'QDQ') {
      t.same(ours.graph!.node!.map(describeNode).sort(), theirs.graph!.node!.map(describeNode).sort(), 'nodes')
    } else {
      t.same(ours.graph!.node!.map(describeNode), theirs.graph!.node!.map(describeNode), 'nodes, in the same order')
    }
    t.same(ours.graph!.initializer!.map(describeInitializer).sort(), theirs.graph!.initializer!.map(describeInitializer).sort(), 'initializers')
    t.same(ours.graph!.input!.map((i) => i.name), theirs.graph!.input!.map((i) => i.name), 'inputs')
    t.same(ours.graph!.output!.map((o) => o.name), theirs.graph!.output!.map((o) => o.name), 'outputs')
    t.same(ours.opsetImport!.map((o) => `${o.domain ?? ''}:${o.version}`).sort(), theirs.opsetImport!.map((o) => `${o.domain ?? ''}:${o.version}`).sort(), 'opsets')
    // what axq's writer emits decodes to the same model (it can be saved and read back)
    const again = onnx.ModelProto.decode(onnx.ModelProto.encode(ours).finish())
    t.equal(again.graph!.node!.length, ours.graph!.node!.length)
  })
}
