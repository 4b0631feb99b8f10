/**
 * Runs an ONNX model on the one executor: the lowered graph in a Session whose nodes take their
 * op domain from the model, with the initializers fed to every run.
 */
import {Session} from '../../runtime/session.js'
import {TF_DOMAIN, type RunOptions} from '../../runtime/opRegistry.js'
import '../../runtime/ops/index.js'
import '../../runtime/ops/onnx/index.js'
import {AxqError} from '../../errors.js'
import type {Tensor} from '../../core/tensor.js'
import type {OnnxModel} from './onnxModel.js'

export class OnnxSession {
  readonly model: OnnxModel
  readonly session: Session

  constructor(model: OnnxModel, options: RunOptions = {}) {
    this.model = model
    this.session = new Session(model.graph, options, (node) => model.domains.get(node.name) ?? TF_DOMAIN)
  }

  /** The executor key of an ONNX tensor name. */
  key(name: string): string {
    const key = this.model.keyOf.get(name)
    if (!key) throw new AxqError(`${this.model.file}: no tensor '${name}' in the model`, {subject: name})
    return key
  }

  /** Checks without running that `outputs` can be computed from `inputs`. */
  check(inputs: string[], outputs: string[]): void {
    this.session.check([...Object.keys(this.model.constants), ...inputs.map((n) => this.key(n))], outputs.map((n) => this.key(n)))
  }

  /** Feeds by ONNX input name; returns the named outputs in order. */
  async run(feeds: Record<string, Tensor>, outputs: string[]): Promise<Tensor[]> {
    const all: Record<string, Tensor> = {...this.model.constants}
    for (const [name, t] of Object.entries(feeds)) all[this.key(name)] = t
    return this.session.run(all, outputs.map((n) => this.key(n)))
  }
}
