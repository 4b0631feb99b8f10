/**
 * The few bytes the synthetic data set needs to write TFRecord files of tf.train.Example
 * records (as the CIFAR-10 reference's generate_cifar10_tfrecords.py does: features `image`,
 * 3072 raw CHW bytes, and `label`, int64) and CIFAR-10 binary batches (3073-byte records).
 *
 * TFRecord framing and CRC32C are src/data/tfrecord.ts's; this file adds a compact Example
 * encoder for the one record shape the generator writes.
 */
import {frameTFRecord} from '../tfrecord.js'


function varint(value: number): number[] {
  const out: number[] = []
  let v = value
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.push(v)
  return out
}

/** A length-delimited protobuf field. */
function lengthDelimited(field: number, payload: ArrayLike<number>): number[] {
  return [...varint((field << 3) | 2), ...varint(payload.length), ...Array.from(payload)]
}

/**
 * Serialized tf.train.Example {features {feature {key: "label" value {int64_list {value: label}}}
 * feature {key: "image" value {bytes_list {value: image}}}}}. Field numbers: Example.features = 1,
 * Features.feature = 1 (map entry: key = 1, value = 2), Feature.bytes_list = 1,
 * Feature.int64_list = 3, BytesList.value = 1, Int64List.value = 1 (packed).
 */
export function encodeImageExample(image: Uint8Array, label: number): Uint8Array {
  const imageFeature = lengthDelimited(1, lengthDelimited(1, image)) // Feature.bytes_list{value}
  const labelFeature = lengthDelimited(3, lengthDelimited(1, varint(label))) // Feature.int64_list{packed value}
  const imageEntry = [...lengthDelimited(1, new TextEncoder().encode('image')), ...lengthDelimited(2, imageFeature)]
  const labelEntry = [...lengthDelimited(1, new TextEncoder().encode('label')), ...lengthDelimited(2, labelFeature)]
  // map entries in the order TensorFlow's Python writer emits them (label, then image): same bytes
  const features = [...lengthDelimited(1, labelEntry), ...lengthDelimited(1, imageEntry)]
  return Uint8Array.from(lengthDelimited(1, features))
}

/** A whole TFRecord file of image Examples; `images` holds `labels.length` CHW images back to back. */
export function encodeExampleFile(images: Uint8Array, labels: Uint8Array, imageBytes: number): Uint8Array {
  const frames: Uint8Array[] = []
  let total = 0
  for (let i = 0; i < labels.length; i++) {
    const frame = frameTFRecord(encodeImageExample(images.subarray(i * imageBytes, (i + 1) * imageBytes), labels[i]))
    frames.push(frame)
    total += frame.length
  }
  const out = new Uint8Array(total)
  let offset = 0
  for (const f of frames) {
    out.set(f, offset)
    offset += f.length
  }
  return out
}

/** CIFAR-10 binary batch: per record one label byte, then the CHW image bytes. */
export function encodeCifarBatch(images: Uint8Array, labels: Uint8Array, imageBytes: number): Uint8Array {
  const record = imageBytes + 1
  const out = new Uint8Array(labels.length * record)
  for (let i = 0; i < labels.length; i++) {
    out[i * record] = labels[i]
    out.set(images.subarray(i * imageBytes, (i + 1) * imageBytes), i * record + 1)
  }
  return out
}
