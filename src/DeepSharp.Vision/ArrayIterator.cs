namespace DeepSharp.Vision;

/// <summary>
/// Batches from in-memory NHWC images and optional targets, with the generator's augmentation (Keras'
/// <c>NumpyArrayIterator</c>), made by <see cref="ImageDataGenerator.Flow"/>. Y rows are passed through unchanged.
/// </summary>
/// <example><code>
/// using var it = new ImageDataGenerator(rotationRange: 20, rescale: 1.0 / 255).Flow(x, y, batchSize: 64, seed: 1);
/// var (xb, yb) = it.Next();
/// </code></example>
public sealed class ArrayIterator : BatchIterator
{
    private readonly Tensor _x;
    private readonly Tensor? _y;
    private readonly int _rowX, _rowY;

    private readonly bool _channelsFirst;

    internal ArrayIterator(Tensor x, Tensor? y, ImageDataGenerator generator, int batchSize, bool shuffle, int seed)
        : base(generator, Check(x, y),
               generator.DataFormat == DataFormat.ChannelsFirst ? [x.Dim(2), x.Dim(3), x.Dim(1)] : x.Shape[1..].ToArray(),
               y?.Shape[1..].ToArray(), batchSize, shuffle, seed)
    {
        _channelsFirst = generator.DataFormat == DataFormat.ChannelsFirst;
        _x = x;
        _y = y;
        _rowX = x.Dim(1) * x.Dim(2) * x.Dim(3);
        _rowY = y is null || y.Dim(0) == 0 ? 0 : y.Size / y.Dim(0);
    }

    private static int Check(Tensor x, Tensor? y)
    {
        if (x.Rank != 4)
            throw new ArgumentException($"Flow expects images of shape (samples, height, width, channels) (or (samples, channels, height, width) for channels-first) but got {Tensor.FormatShape(x.Shape)}. Add a channel axis with x.Reshape(n, h, w, 1) for grayscale.", nameof(x));
        if (x.Dim(0) == 0) throw new ArgumentException("Flow got 0 images. Pass at least one.", nameof(x));
        if (y is not null && (y.Rank == 0 || y.Dim(0) != x.Dim(0)))
            throw new ArgumentException($"x has {x.Dim(0)} samples but y has shape {Tensor.FormatShape(y.Shape)}. They must have the same first dimension.", nameof(y));
        return x.Dim(0);
    }

    protected override void LoadSample(int index, Span<float> destination)
    {
        var row = _x.Span.Slice(index * _rowX, _rowX);
        if (!_channelsFirst) { row.CopyTo(destination); return; }
        int c = _x.Dim(1), hw = _x.Dim(2) * _x.Dim(3);
        for (int k = 0; k < c; k++)
            for (int i = 0; i < hw; i++) destination[i * c + k] = row[k * hw + i];
    }

    protected override void WriteTarget(int index, ReadOnlySpan<float> input, Span<float> destination) =>
        _y!.Span.Slice(index * _rowY, _rowY).CopyTo(destination);
}
