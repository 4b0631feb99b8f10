/** One-line descriptions of ONNX nodes and initializers, for comparing whole graphs in tests. */
import {DataType, dimsOf, floatValues, intValues, onnx, type NodeProto, type TensorProto} from '../../src/formats/onnx/quantize/tensorProto.js'

/** Op, name, inputs, outputs, domain and attributes (sorted by name). */
export function describeNode(n: NodeProto): string {
  const attrs = (n.attribute ?? []).map((a) => `${a.name}=${JSON.stringify(a.ints?.length ? a.ints.map(Number) : a.type === onnx.AttributeProto.AttributeType.FLOAT ? a.f : Number(a.i ?? 0))}`).sort()
  return `${n.opType} ${n.name} (${(n.input ?? []).join(', ')}) -> (${(n.output ?? []).join(', ')}) ${n.domain ?? ''} ${attrs.join(' ')}`
}

/** Name, element type, shape and every value. */
export function describeInitializer(i: TensorProto): string {
  const values = i.dataType === DataType.FLOAT ? [...floatValues(i)] : [...intValues(i)]
  return `${i.name} type ${i.dataType} dims [${dimsOf(i)}] ${values.join(',')}`
}
