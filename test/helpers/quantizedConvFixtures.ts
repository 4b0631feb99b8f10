/** TensorFlow QuantizedConv2D reference vectors (test/fixtures/native/quantized_conv2d.json). */
import fs from 'node:fs'
import path from 'node:path'
import {fixturesDir} from './paths.js'

export interface QuantizedConvFixture {
  name: string
  inputShape: number[]
  filterShape: number[]
  input: number[]
  filter: number[]
  minInput: number
  maxInput: number
  minFilter: number
  maxFilter: number
  stride: number
  padding: 'SAME' | 'VALID'
  outputShape: number[]
  output: number[]
  minOutput: number
  maxOutput: number
}

export function quantizedConvFixtures(): QuantizedConvFixture[] {
  const file = path.join(fixturesDir, 'native', 'quantized_conv2d.json')
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as {cases: QuantizedConvFixture[]}).cases
}
