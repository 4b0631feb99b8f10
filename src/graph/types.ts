/**
 * The GraphDef family as plain objects, exactly as protobufjs decodes them from proto/*.proto
 * (camelCase field names; a field is an own property only when it was present on the wire, which
 * is what makes load → save byte-identical). int64 fields are `Long`-like or numbers.
 */
export type Int64 = number | {low: number; high: number; unsigned?: boolean; toNumber(): number}

export interface TensorShapeProto {
  dim?: {size?: Int64; name?: string}[]
  unknownRank?: boolean
}

export interface TensorProto {
  dtype?: number
  tensorShape?: TensorShapeProto
  versionNumber?: number
  tensorContent?: Uint8Array
  floatVal?: number[]
  doubleVal?: number[]
  intVal?: number[]
  stringVal?: Uint8Array[]
  int64Val?: Int64[]
  boolVal?: boolean[]
  halfVal?: number[]
  uint32Val?: number[]
  uint64Val?: Int64[]
}

export interface NameAttrList {
  name?: string
  attr?: Record<string, AttrValue>
}

export interface ListValue {
  s?: Uint8Array[]
  i?: Int64[]
  f?: number[]
  b?: boolean[]
  type?: number[]
  shape?: TensorShapeProto[]
  tensor?: TensorProto[]
  func?: NameAttrList[]
}

export interface AttrValue {
  list?: ListValue
  s?: Uint8Array
  i?: Int64
  f?: number
  b?: boolean
  type?: number
  shape?: TensorShapeProto
  tensor?: TensorProto
  placeholder?: string
  func?: NameAttrList
}

export interface NodeDef {
  name: string
  op: string
  input: string[]
  device?: string
  attr: Record<string, AttrValue>
  experimentalDebugInfo?: {originalNodeNames?: string[]; originalFuncNames?: string[]}
}

export interface VersionDef {
  producer?: number
  minConsumer?: number
  badConsumers?: number[]
}

export interface GraphDef {
  node: NodeDef[]
  library?: unknown
  version?: number
  versions?: VersionDef
}
