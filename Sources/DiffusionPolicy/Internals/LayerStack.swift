/// Hidden Dense (+ LayerNorm) + activation layers followed by a linear output layer: the trunk
/// shared by the noise networks (docs/edp-inference.md §1.1, §1.3), the critics (§1.2) and the feed-forward
/// baselines, as read from a checkpoint; `PackedStack` evaluates it.
struct LayerStack: Sendable {
    let hidden: [DenseLayer]
    /// One entry per hidden layer; nil when LayerNorm is off.
    let norms: [LayerNormParameters?]
    let activation: Activation
    let output: DenseLayer

    var inputSize: Int { hidden.first?.inputSize ?? output.inputSize }
    var outputSize: Int { output.outputSize }
    var maxWidth: Int { (hidden.map(\.outputSize) + [output.outputSize, inputSize]).max()! }
    var multiplyAdds: Int { hidden.reduce(output.multiplyAdds) { $0 + $1.multiplyAdds } }
}
