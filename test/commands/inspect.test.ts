import t from 'tap'
import {hasShared, shared} from '../helpers/paths.js'
import {axq, axqLines} from './cliRunner.js'

t.test('inspect --json on the quantized ResNet-8 (the issue’s numbers)', {skip: hasShared ? false : 'needs ../shared/models'}, async (t) => {
  const r = await axq('inspect', shared('models', 'resnet_8_quant_ax.pb'), '--json')
  t.equal(r.code, 0, r.stderr)
  const s = JSON.parse(r.stdout)
  t.equal(s.nodes, 211)
  t.equal(s.ops.AxConv2D, 7)
  t.same(s.inputs, ['input'])
  t.same(s.outputs, ['resnet/tower_0/fully_connected/dense/BiasAdd'])
  t.same(s.layers.map((l: {op: string}) => l.op), Array(7).fill('AxConv2D'))
  t.same(s.layers.map((l: {macsPerImage: number}) => l.macsPerImage), [442368, 2359296, 2359296, 5326848, 2359296, 5971968, 2359296])
  t.equal(s.macsPerImage, 21178368)
  t.same(s.layers[3], {
    name: 'resnet/tower_0/stage_1/residual_v1/conv2d/Conv2D/eightbit',
    op: 'AxConv2D',
    inputShape: [-1, 34, 34, 16],
    filterShape: [3, 3, 16, 32],
    outputShape: [-1, 16, 16, 32],
    strides: [1, 2, 2, 1],
    padding: 'VALID',
    macsPerImage: 5326848,
    outputMacsPerImage: 1179648,
  })
})

t.test('inspect text, --input-shape, errors', {skip: hasShared ? false : 'needs ../shared/models'}, async (t) => {
  let r = await axq('inspect', shared('models', 'resnet_8.pb'), '--input-shape', '2,32,32,3')
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /inputs: input float32 \[2,32,32,3\]/)
  t.match(r.stdout, /MatMul\s+resnet\/tower_0\/fully_connected\/dense\/MatMul\s+\[2,64\]\s+\[64,11\]/)
  t.match(r.stdout, /total: 21,179,072 multiplications per image in 8 layers \(computed: 12,239,552\)/)
  t.match(r.stdout, /mults\/image counts every input position/)
  const strided = r.stdout.split('\n').find((l) => l.includes('stage_1/residual_v1/conv2d/Conv2D '))
  t.same(strided?.trim().split(/\s+/), ['Conv2D', 'resnet/tower_0/stage_1/residual_v1/conv2d/Conv2D', '[2,34,34,16]', '[3,3,16,32]', '[2,16,16,32]', '1,2,2,1', 'VALID', '5,326,848', '1,179,648'], 'output shape and the multiplications actually computed beside the convention count')
  r = await axq('inspect', shared('models', 'resnet_8.pb'), '--input-shape', '1,x')
  t.match(axqLines(r.stderr), /--input-shape: '1,x' is not a shape/)
  r = await axq('inspect', shared('models', 'resnet_8.pb'), '--input-shape', 'nope=1,2')
  t.match(axqLines(r.stderr), /the graph has no placeholder 'nope' \(placeholders: input\)/)
})
