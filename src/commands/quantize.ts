import {Args, Flags} from '@oclif/core'
import {AxqCommand} from '../cli/baseCommand.js'
import {AxqError} from '../errors.js'
import type {QuantType} from '../formats/onnx/quantize/params.js'
import {type QuantFormat} from '../formats/onnx/quantize/quantizeFile.js'
import {quantizeCalibrated} from '../formats/onnx/quantize/calibrate.js'
import {formatDuration} from '../sweep/progress.js'
import {dataFlags, preprocessingFromFlags} from '../cli/dataFlags.js'

const TYPES = {u8u8: ['uint8', 'uint8'], s8s8: ['int8', 'int8']} as const
const FORMAT_NAMES: Record<QuantFormat, string> = {qdq: 'QDQ', qoperator: 'QOperator'}

export default class Quantize extends AxqCommand {
  static override description = `Quantize a float ONNX model statically, as onnxruntime's quantize_static does

MinMax ranges, asymmetric activations, symmetric int8 weights, int32 biases, Relu/Clip folded into the range, QDQ (default) or QOperator (QLinearConv, QGemm, QLinearAdd, ...) format: for the same ranges the scales, zero points, integer weights and nodes equal those of onnxruntime's tool. The ranges come from --calibrate DATA (MinMax over the images, axq's float run giving onnxruntime's values bit for bit, so the ranges equal onnxruntime's) or from --calibration-cache, an onnxruntime calibration cache (quantize_static(..., calibration_cache_path=FILE)). --types u8u8 suits unsigned approximate multipliers (mul8u_*), s8s8 signed ones.`

  static override examples = [
    '<%= config.bin %> quantize examples/onnx/resnet20.onnx r20.s8s8.onnx --calibrate ../shared/cifar10/data_batch_5.bin --calibration-images 200 --types s8s8',
    '<%= config.bin %> quantize examples/onnx/resnet20.onnx r20.s8s8.onnx --calibration-cache examples/onnx/calibration/resnet20.minmax.json --types s8s8',
    '<%= config.bin %> quantize model.onnx model.u8u8.onnx --calibration-cache ranges.json --types u8u8 --per-channel --format qoperator',
  ]

  static override args = {
    model: Args.string({description: 'float ONNX model', required: true}),
    out: Args.string({description: 'quantized ONNX model to write', required: true}),
  }

  static override flags = {
    calibrate: Flags.string({description: 'calibration data (anything infer reads: CIFAR .bin/python batches, TFRecords, .npz, .npy, an image folder)', exactlyOne: ['calibrate', 'calibration-cache']}),
    'calibration-images': Flags.integer({description: 'calibrate on the first N images (default: all)', min: 1, dependsOn: ['calibrate']}),
    'calibration-cache': Flags.string({description: "MinMax ranges: onnxruntime's calibration cache JSON", exactlyOne: ['calibrate', 'calibration-cache']}),
    format: Flags.string({description: 'quantized format (onnxruntime QuantFormat)', options: ['qdq', 'qoperator'], default: 'qdq'}),
    types: Flags.string({description: 'activation and weight types together: u8u8 (uint8/uint8) or s8s8 (int8/int8)', options: Object.keys(TYPES), exclusive: ['activation-type', 'weight-type']}),
    'activation-type': Flags.string({description: 'activation type', options: ['uint8', 'int8']}),
    'weight-type': Flags.string({description: 'weight type', options: ['uint8', 'int8']}),
    'per-channel': Flags.boolean({description: 'one weight scale per output channel', default: false}),
    'reduce-range': Flags.boolean({description: '7-bit weights (onnxruntime reduce_range)', default: false}),
    'nodes-to-exclude': Flags.string({description: 'comma-separated node names to leave float'}),
    json: Flags.boolean({description: 'print one JSON summary object', default: false}),
    // how --calibrate data becomes model input, as for infer (labels are not needed)
    preprocess: dataFlags.preprocess,
    resize: dataFlags.resize,
    crop: dataFlags.crop,
    scale: dataFlags.scale,
    mean: dataFlags.mean,
    std: dataFlags.std,
    layout: dataFlags.layout,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Quantize)
    const pair = flags.types === undefined ? undefined : TYPES[flags.types as keyof typeof TYPES]
    const activationType = (pair?.[0] ?? flags['activation-type'] ?? 'int8') as QuantType
    const weightType = (pair?.[1] ?? flags['weight-type'] ?? 'int8') as QuantType
    if (args.model === args.out) throw new AxqError('the output would overwrite the input model; give another file', {subject: 'OUT', exitCode: 2})
    const progress = process.stderr.isTTY && !flags.json
    let started = 0
    const eta = (done: number, total: number): string => {
      if (done === 0) started = Date.now()
      return done === 0 ? '' : `, ETA ${formatDuration(((Date.now() - started) / 1000 / done) * (total - done))}`
    }
    const result = await quantizeCalibrated({
      calibration: flags.calibrate === undefined ? undefined : {
        data: flags.calibrate,
        images: flags['calibration-images'],
        preprocessing: preprocessingFromFlags(flags),
        onProgress: progress ? (done, total) => process.stderr.write(`\rcalibrating: ${done}/${total} images${eta(done, total)}   ${done === total ? '\n' : ''}`) : undefined,
      },
      model: args.model,
      out: args.out,
      format: flags.format as QuantFormat,
      calibrationCache: flags['calibration-cache'],
      activationType,
      weightType,
      perChannel: flags['per-channel'],
      reduceRange: flags['reduce-range'],
      nodesToExclude: new Set((flags['nodes-to-exclude'] ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0)),
    })
    if (result.calibration && !flags.json) this.log(`calibrated ${result.calibration.tensors} tensors on ${result.calibration.images} images of ${result.calibration.data}`)
    if (flags.json) {
      this.printJson(result)
      return
    }
    this.log(`wrote ${result.out}: ${FORMAT_NAMES[result.format]}, ${result.activationType} activations, ${result.weightType} weights${result.perChannel ? ' per channel' : ''}; ${result.nodes.before} → ${result.nodes.after} nodes, ${result.quantizedTensors} quantized activations, ${result.bytes} bytes`)
  }
}
