import {Flags} from '@oclif/core'
import {AxqError} from '../errors.js'
import {parseCrop, parseLayout, parseScale, preprocessPreset, type Preprocessing} from '../data/imagePreprocessing.js'

/**
 * The flags that say how data becomes model input, shared by every command that opens data
 * through src/data/dataSource.ts: labels of an .npy, resize/crop of image folders, and the pixel
 * preprocessing (a named preset, overridden flag by flag).
 */
export const dataFlags = {
  labels: Flags.string({description: 'with --data FILE.npy: the labels, an .npy of integers (without it: predictions only, no accuracy)'}),
  preprocess: Flags.string({description: 'a named preprocessing: "imagenet" = torchvision\'s ImageNet models (resize 256, centre crop 224, /255, ImageNet mean/std, NCHW); --resize, --crop, --scale, --mean, --std and --layout override parts of it'}),
  resize: Flags.integer({description: 'image folders: resize the shorter side to this many pixels (bilinear, antialiased, as PIL/torchvision; default: the crop\'s shorter side)', min: 1, max: 16384}),
  crop: Flags.string({description: 'image folders: centre crop N or H,W pixels (default: the model\'s input size)'}),
  scale: Flags.string({description: 'ONNX models: pixel scale applied first, a number or 1/N to divide by N (default: the model\'s axq.preprocess.scale, else 1)'}),
  mean: Flags.string({description: 'ONNX models: per-channel mean subtracted after scaling, comma-separated (default: metadata axq.preprocess.mean, else 0)'}),
  std: Flags.string({description: 'ONNX models: per-channel standard deviation divided by, comma-separated (default: metadata axq.preprocess.std, else 1)'}),
  layout: Flags.string({description: 'ONNX models: input layout NCHW or NHWC (default: metadata axq.input.layout, else NCHW)'}),
}

export interface DataFlagValues {
  preprocess?: string
  resize?: number
  crop?: string
  scale?: string
  mean?: string
  std?: string
  layout?: string
}

/** The preprocessing the flags ask for: the preset, then each flag given on top. */
export function preprocessingFromFlags(flags: DataFlagValues): Partial<Preprocessing> {
  const out: Partial<Preprocessing> = flags.preprocess === undefined ? {} : preprocessPreset(flags.preprocess)
  if (flags.resize !== undefined) out.resize = flags.resize
  if (flags.crop !== undefined) out.crop = parseCrop(flags.crop, '--crop')
  if (flags.scale !== undefined) {
    const {scale, divisor} = parseScale(flags.scale, '--scale')
    out.scale = scale
    if (divisor === undefined) delete out.divisor
    else out.divisor = divisor
  }
  if (flags.mean !== undefined) out.mean = numberList(flags.mean, '--mean')
  if (flags.std !== undefined) out.std = numberList(flags.std, '--std')
  if (flags.layout !== undefined) out.layout = parseLayout(flags.layout, '--layout')
  return out
}

function numberList(text: string, flag: string): number[] {
  const values = text.split(',').map((v) => Number(v.trim()))
  if (values.length === 0 || values.some((v, i) => !Number.isFinite(v) || text.split(',')[i].trim() === '')) {
    throw new AxqError(`${flag}: expected comma-separated numbers, got '${text}'`, {subject: flag, exitCode: 2})
  }
  return values
}
