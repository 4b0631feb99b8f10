/**
 * What the transforms need to know about TensorFlow ops (TF 1.14 REGISTER_OP in
 * core/ops/{array,math,nn,...}_ops.cc): attr defaults (add_default_attributes), whether the op is
 * stateful (merge_duplicate_nodes, fold_constants) and, for the ops quantize_nodes can convert,
 * the dtypes of inputs and outputs (GetInOutTypes).
 *
 * Defaults were restated from TensorFlow's op registrations of the 1.14 era; where an attr was
 * added around that release the comment says so.
 */
import type {AttrValue, NodeDef} from '../graph/types.js'
import {AxqError} from '../errors.js'
import {ENUM_BY_DTYPE} from '../core/tensor.js'
import {int64ToNumber} from '../graph/attrs.js'

const utf8 = new TextEncoder()
const s = (v: string): AttrValue => ({s: utf8.encode(v)})
const b = (v: boolean): AttrValue => ({b: v})
const i = (v: number): AttrValue => ({i: v})
const f = (v: number): AttrValue => ({f: v})
const type = (name: keyof typeof ENUM_BY_DTYPE): AttrValue => ({type: ENUM_BY_DTYPE[name]})
const ints = (v: number[]): AttrValue => ({list: {i: v}})
const emptyList = (): AttrValue => ({list: {}})

/** An input/output argument: a type attr name (`T`), a fixed dtype (`=int32`), or `N*T`. */
type Arg = string

export interface OpInfo {
  defaults?: Record<string, () => AttrValue>
  stateful?: boolean
  inputs?: Arg[]
  outputs?: Arg[]
}

const NHWC = (): AttrValue => s('NHWC')
const ONES4 = (): AttrValue => ints([1, 1, 1, 1])
const INT32 = (): AttrValue => type('int32')
const INT64 = (): AttrValue => type('int64')
const FALSE = (): AttrValue => b(false)
const TRUE = (): AttrValue => b(true)
const QINT32 = (): AttrValue => type('qint32')
const QUINT8 = (): AttrValue => type('quint8')

const reduction: OpInfo = {defaults: {keep_dims: FALSE, Tidx: INT32}}
const conv: OpInfo = {
  // explicit_paddings arrived with EXPLICIT padding in the 1.14 cycle.
  defaults: {use_cudnn_on_gpu: TRUE, explicit_paddings: emptyList, data_format: NHWC, dilations: ONES4},
  inputs: ['T', 'T'],
  outputs: ['T'],
}
const pool: OpInfo = {defaults: {data_format: NHWC}, inputs: ['T'], outputs: ['T']}
const batchNorm: OpInfo = {defaults: {epsilon: () => f(0.0001), data_format: NHWC, is_training: TRUE}}
const binary: OpInfo = {inputs: ['T', 'T'], outputs: ['T']}
const unary: OpInfo = {inputs: ['T'], outputs: ['T']}
const plain: OpInfo = {}
const stateful: OpInfo = {stateful: true}
const resize: OpInfo = {defaults: {align_corners: FALSE, half_pixel_centers: FALSE}}

export const OP_INFO: Record<string, OpInfo> = {
  // Array ops
  Const: plain,
  Placeholder: {defaults: {shape: () => ({shape: {unknownRank: true}})}},
  PlaceholderV2: plain,
  PlaceholderWithDefault: plain,
  Identity: unary,
  IdentityN: plain,
  Snapshot: unary,
  StopGradient: unary,
  PreventGradient: {defaults: {message: () => s('')}},
  CheckNumerics: unary,
  Reshape: {defaults: {Tshape: INT32}, inputs: ['T', 'Tshape'], outputs: ['T']},
  Squeeze: {defaults: {squeeze_dims: emptyList}},
  ExpandDims: {defaults: {Tdim: INT32}},
  Shape: {defaults: {out_type: INT32}},
  ShapeN: {defaults: {out_type: INT32}},
  Size: {defaults: {out_type: INT32}},
  Rank: plain,
  Pad: {defaults: {Tpaddings: INT32}},
  PadV2: {defaults: {Tpaddings: INT32}},
  MirrorPad: {defaults: {Tpaddings: INT32}},
  Concat: {inputs: ['=int32', 'N*T'], outputs: ['T']},
  ConcatV2: {defaults: {Tidx: INT32}},
  Pack: {defaults: {axis: () => i(0)}},
  Unpack: {defaults: {axis: () => i(0)}},
  Split: plain,
  SplitV: {defaults: {Tlen: INT64}},
  Slice: plain,
  StridedSlice: {
    defaults: {begin_mask: () => i(0), end_mask: () => i(0), ellipsis_mask: () => i(0), new_axis_mask: () => i(0), shrink_axis_mask: () => i(0)},
  },
  Transpose: {defaults: {Tperm: INT32}},
  Tile: {defaults: {Tmultiples: INT32}},
  Fill: {defaults: {index_type: INT32}},
  ZerosLike: plain,
  OnesLike: plain,
  Gather: {defaults: {validate_indices: TRUE}},
  GatherV2: {defaults: {batch_dims: () => i(0)}},
  Cast: {defaults: {Truncate: FALSE}},
  Where: plain,
  BroadcastTo: {defaults: {Tidx: INT32}},
  SpaceToBatchND: {defaults: {Tblock_shape: INT32, Tpaddings: INT32}},
  BatchToSpaceND: {defaults: {Tblock_shape: INT32, Tcrops: INT32}},
  DepthToSpace: {defaults: {data_format: NHWC}},
  SpaceToDepth: {defaults: {data_format: NHWC}},
  ReverseV2: {defaults: {Tidx: INT32}},
  OneHot: {defaults: {axis: () => i(-1), TI: INT64}},
  Unique: {defaults: {out_idx: INT32}},
  QuantizeV2: {defaults: {mode: () => s('MIN_COMBINED'), round_mode: () => s('HALF_AWAY_FROM_ZERO')}},
  Dequantize: {defaults: {mode: () => s('MIN_COMBINED')}},
  QuantizedReshape: {defaults: {Tshape: INT32}},
  QuantizedConcat: plain,
  FakeQuantWithMinMaxVars: {defaults: {num_bits: () => i(8), narrow_range: FALSE}},
  FakeQuantWithMinMaxArgs: {defaults: {min: () => f(-6), max: () => f(6), num_bits: () => i(8), narrow_range: FALSE}},
  // Math ops
  Add: binary,
  AddV2: binary,
  AddN: plain,
  Sub: binary,
  Mul: binary,
  RealDiv: binary,
  Div: binary,
  FloorDiv: binary,
  FloorMod: binary,
  Maximum: binary,
  Minimum: binary,
  SquaredDifference: binary,
  Pow: binary,
  Neg: unary,
  Abs: unary,
  Sqrt: unary,
  Rsqrt: unary,
  Square: unary,
  Exp: unary,
  Log: unary,
  Tanh: unary,
  Sigmoid: unary,
  Floor: unary,
  Ceil: unary,
  Round: unary,
  Sign: unary,
  Reciprocal: unary,
  Equal: plain,
  NotEqual: plain,
  Greater: plain,
  GreaterEqual: plain,
  Less: plain,
  LessEqual: plain,
  LogicalAnd: plain,
  LogicalOr: plain,
  LogicalNot: plain,
  Select: plain,
  ClipByValue: plain,
  Range: {defaults: {Tidx: INT32}},
  BiasAdd: {defaults: {data_format: NHWC}, inputs: ['T', 'T'], outputs: ['T']},
  BiasAddV1: plain,
  MatMul: {defaults: {transpose_a: FALSE, transpose_b: FALSE}, inputs: ['T', 'T'], outputs: ['T']},
  BatchMatMul: {defaults: {adj_x: FALSE, adj_y: FALSE}},
  Sum: reduction,
  Mean: reduction,
  Max: reduction,
  Min: reduction,
  Prod: reduction,
  All: reduction,
  Any: reduction,
  ArgMax: {defaults: {Tidx: INT32, output_type: INT64}},
  ArgMin: {defaults: {Tidx: INT32, output_type: INT64}},
  Bucketize: plain,
  QuantizedAdd: {defaults: {Toutput: QINT32}},
  QuantizedMul: {defaults: {Toutput: QINT32}},
  QuantizedMatMul: {defaults: {Toutput: QINT32, transpose_a: FALSE, transpose_b: FALSE, Tactivation: QUINT8}},
  QuantizedBiasAdd: plain,
  Requantize: plain,
  RequantizationRange: plain,
  // NN ops
  Relu: unary,
  Relu6: unary,
  Elu: unary,
  Selu: unary,
  LeakyRelu: {defaults: {alpha: () => f(0.2)}, inputs: ['T'], outputs: ['T']},
  Softplus: unary,
  Softsign: unary,
  Softmax: unary,
  LogSoftmax: unary,
  Conv2D: conv,
  Conv2DBackpropInput: {...conv, inputs: ['=int32', 'T', 'T'], outputs: ['T']},
  DepthwiseConv2dNative: {defaults: {data_format: NHWC, dilations: ONES4}},
  AvgPool: pool,
  MaxPool: pool,
  MaxPoolV2: {defaults: {data_format: NHWC}},
  FusedBatchNorm: batchNorm,
  FusedBatchNormV2: batchNorm,
  FusedBatchNormV3: batchNorm,
  BatchNormWithGlobalNormalization: plain,
  LRN: {defaults: {depth_radius: () => i(5), bias: () => f(1), alpha: () => f(1), beta: () => f(0.5)}},
  ResizeBilinear: {...resize, inputs: ['T', '=int32'], outputs: ['=float32']},
  ResizeNearestNeighbor: resize,
  TopKV2: {defaults: {sorted: TRUE}},
  InTopK: plain,
  QuantizedConv2D: {defaults: {out_type: QINT32, dilations: ONES4}},
  AxConv2D: {defaults: {out_type: QINT32, dilations: ONES4, AxMult: () => s('mul8u_1JFF'), AxTune: TRUE}},
  QuantizedAvgPool: plain,
  QuantizedMaxPool: plain,
  QuantizedRelu: {defaults: {out_type: QUINT8}},
  QuantizedRelu6: {defaults: {out_type: QUINT8}},
  QuantizedReluX: {defaults: {out_type: QUINT8}},
  QuantizedResizeBilinear: {defaults: {align_corners: FALSE}},
  QuantizedBatchNormWithGlobalNormalization: plain,
  // Control flow and structure
  NoOp: plain,
  Switch: plain,
  Merge: plain,
  Enter: plain,
  Exit: plain,
  NextIteration: plain,
  LoopCond: plain,
  // Stateful ops
  Variable: stateful,
  VariableV2: stateful,
  VarHandleOp: stateful,
  ReadVariableOp: stateful,
  Assign: stateful,
  AssignAdd: stateful,
  AssignSub: stateful,
  AssignVariableOp: stateful,
  RandomUniform: stateful,
  RandomUniformInt: stateful,
  RandomStandardNormal: stateful,
  TruncatedNormal: stateful,
  RandomShuffle: stateful,
  Multinomial: stateful,
  Print: stateful,
  PrintV2: stateful,
  Assert: stateful,
  SaveV2: stateful,
  RestoreV2: stateful,
  FIFOQueueV2: stateful,
  QueueDequeueV2: stateful,
  QueueDequeueManyV2: stateful,
  IteratorV2: stateful,
  IteratorGetNext: stateful,
  HashTableV2: stateful,
  LookupTableFindV2: stateful,
}

export function opInfo(op: string): OpInfo | undefined {
  return Object.prototype.hasOwnProperty.call(OP_INFO, op) ? OP_INFO[op] : undefined
}

/** Ops axq knows nothing about count as stateful, so they are never merged or folded. */
export function isStateful(op: string): boolean {
  const info = opInfo(op)
  return info === undefined || info.stateful === true
}

/** Attr defaults of an op (fresh objects), or undefined for an op axq does not know. */
export function opDefaults(op: string): Record<string, AttrValue> | undefined {
  const info = opInfo(op)
  if (!info) return undefined
  const result: Record<string, AttrValue> = {}
  for (const [k, make] of Object.entries(info.defaults ?? {})) result[k] = make()
  return result
}

/**
 * Input and output dtypes (TensorFlow DataType enums) of a node, from its attrs (GetInOutTypes).
 * Only for ops with declared arguments; a missing type attr is an error naming the node.
 */
export function inOutTypes(node: NodeDef): {inputs: number[]; outputs: number[]} {
  const info = opInfo(node.op)
  if (!info?.inputs || !info.outputs) {
    throw new AxqError(`node '${node.name}': axq does not know the input and output types of op '${node.op}'`, {subject: node.name})
  }
  const typeOf = (arg: string): number => {
    if (arg.startsWith('=')) return ENUM_BY_DTYPE[arg.slice(1) as keyof typeof ENUM_BY_DTYPE]
    const attr = node.attr?.[arg]
    if (!attr || attr.type === undefined || attr.type === null) {
      throw new AxqError(`node '${node.name}' (${node.op}): missing type attr '${arg}'`, {subject: node.name})
    }
    return attr.type
  }
  const expand = (args: Arg[]): number[] => {
    const out: number[] = []
    for (const arg of args) {
      const star = arg.indexOf('*')
      if (star > 0) {
        const n = int64ToNumber(node.attr?.[arg.slice(0, star)]?.i)
        for (let k = 0; k < n; k++) out.push(typeOf(arg.slice(star + 1)))
      } else {
        out.push(typeOf(arg))
      }
    }
    return out
  }
  return {inputs: expand(info.inputs), outputs: expand(info.outputs)}
}
