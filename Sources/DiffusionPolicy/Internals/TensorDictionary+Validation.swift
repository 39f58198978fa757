import TensorArchives
extension Dictionary where Key == String, Value == Tensor {
    /// The tensor `name` with exactly `shape` and only finite values, or a `PolicyLoadingError`
    /// naming it and the expected shape.
    func requireTensor(_ name: String, shape: [Int]) throws -> Tensor {
        guard let tensor = self[name] else {
            throw PolicyLoadingError.missingTensor(name: name, expectedShape: shape)
        }
        // A (n,) vector stored as (n, 1) or (1, n) is not accepted: layouts must be exact.
        guard tensor.shape == shape else {
            throw PolicyLoadingError.shapeMismatch(name: name, expected: shape, found: tensor.shape)
        }
        if let bad = tensor.values.firstIndex(where: { !$0.isFinite }) {
            throw PolicyLoadingError.nonFiniteValues(name: name, firstIndex: bad)
        }
        return tensor
    }

    /// A flax `Dense` at `path` (`path/kernel` (in, out), `path/bias` (out,)).
    func flaxDense(_ path: String, input: Int, output: Int) throws -> DenseLayer {
        let kernel = try requireTensor(path + "/kernel", shape: [input, output])
        let bias = try requireTensor(path + "/bias", shape: [output])
        return DenseLayer(inputSize: input, outputSize: output, weights: kernel.values,
                          layout: .inputMajor, bias: bias.values)
    }

    /// A torch `Linear` at `path` (`path.weight` (out, in), `path.bias` (out,)).
    func torchLinear(_ path: String, input: Int, output: Int) throws -> DenseLayer {
        let weight = try requireTensor(path + ".weight", shape: [output, input])
        let bias = try requireTensor(path + ".bias", shape: [output])
        return DenseLayer(inputSize: input, outputSize: output, weights: weight.values,
                          layout: .outputMajor, bias: bias.values)
    }

    /// A flax `LayerNorm` at `path` (`scale`, `bias`, both (width,)).
    func flaxLayerNorm(_ path: String, width: Int) throws -> LayerNormParameters {
        LayerNormParameters(scale: try requireTensor(path + "/scale", shape: [width]).values,
                            bias: try requireTensor(path + "/bias", shape: [width]).values)
    }

    /// A flax MLP as written by `@nn.compact` loops (docs/edp-inference.md §5.1): `prefix/Dense_0 … Dense_{L}`,
    /// `prefix/LayerNorm_i` after hidden Dense i when `layerNorm`, linear `Dense_L` output.
    func flaxStack(_ prefix: String, input: Int, hidden: [Int], output: Int, layerNorm: Bool,
                   activation: Activation, firstDenseIndex: Int = 0) throws -> LayerStack {
        var layers: [DenseLayer] = []
        var norms: [LayerNormParameters?] = []
        var width = input
        for (i, size) in hidden.enumerated() {
            layers.append(try flaxDense("\(prefix)/Dense_\(i + firstDenseIndex)", input: width, output: size))
            norms.append(layerNorm ? try flaxLayerNorm("\(prefix)/LayerNorm_\(i)", width: size) : nil)
            width = size
        }
        let last = try flaxDense("\(prefix)/Dense_\(hidden.count + firstDenseIndex)", input: width, output: output)
        return LayerStack(hidden: layers, norms: norms, activation: activation, output: last)
    }
}
