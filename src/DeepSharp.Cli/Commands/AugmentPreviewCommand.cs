using System.CommandLine;
using System.Globalization;
using DeepSharp.Vision;

namespace DeepSharp.Cli.Commands;

/// <summary>
/// `deepsharp augment-preview --data DIR --output grid.png`: writes a grid of random augmentations of a few images
/// from DIR (one row per image: the original, then --versions augmented copies), to see what the generator does
/// before training. Without augmentation options it shows the chapter's set (rotation 40, shifts 0.2, shear 0.2,
/// zoom 0.2, horizontal flips, fill mode nearest).
/// </summary>
internal static class AugmentPreviewCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "folder of images (searched recursively; a few are picked across it)", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "PNG file to write", DefaultValueFactory = _ => "augment-preview.png" };
        var images = new Option<int>("--images") { Description = "how many images (rows)", DefaultValueFactory = _ => 3 };
        var versions = new Option<int>("--versions") { Description = "augmented versions per image (columns after the original)", DefaultValueFactory = _ => 8 };
        var size = new Option<int>("--target-size") { Description = "images are resized to N×N", DefaultValueFactory = _ => 150 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0 };
        var rotation = new Option<float?>("--rotation-range") { Description = "degrees" };
        var width = new Option<float?>("--width-shift-range") { Description = "fraction of the width (< 1) or pixels" };
        var height = new Option<float?>("--height-shift-range") { Description = "fraction of the height (< 1) or pixels" };
        var shear = new Option<float?>("--shear-range") { Description = "degrees" };
        var zoom = new Option<float?>("--zoom-range") { Description = "z for [1-z, 1+z]" };
        var channel = new Option<float?>("--channel-shift-range") { Description = "added to every channel" };
        var brightness = new Option<string?>("--brightness-range") { Description = "LOW,HIGH PIL brightness factors, e.g. 0.5,1.5" };
        var hflip = new Option<bool>("--horizontal-flip");
        var vflip = new Option<bool>("--vertical-flip");
        var fill = new Option<string>("--fill-mode") { Description = "nearest, constant, reflect or wrap", DefaultValueFactory = _ => "nearest" };
        var cval = new Option<float>("--cval") { Description = "fill value for --fill-mode constant" };
        var followLinks = new Option<bool>("--follow-links") { Description = "enter linked sub-folders of --data (each real folder once)" };
        var cmd = new Command("augment-preview", "Write a grid of augmented versions of a few images, to see what the augmentation does.")
            { data, output, images, versions, size, seed, rotation, width, height, shear, zoom, channel, brightness, hflip, vflip, fill, cval, followLinks };
        cmd.SetAction(r =>
        {
            // Every flag, and the output file, is checked before any image is read.
            string dir = r.GetValue(data)!;
            int rows = r.GetValue(images), columns = r.GetValue(versions), n = r.GetValue(size);
            UsageException.RequireRange("--images", rows, 1, MaxRows);
            UsageException.RequireRange("--versions", columns, 1, MaxColumns);
            UsageException.RequireRange("--target-size", n, 1, MaxTargetSize, "The chapter uses 150.");
            // The grid (gaps of 4 pixels) as RGB floats, in 64-bit arithmetic: it must fit one array.
            FlagLimits.RequireProduct("--images, --versions, --target-size", $"a grid of {rows} × {columns + 1} images of {n}×{n}", FlagLimits.MaxValues,
                rows * (long)n + (rows + 1) * 4L, (columns + 1) * (long)n + (columns + 2) * 4L, 3);
            foreach (var (flag, value) in new[] { ("--rotation-range", r.GetValue(rotation)), ("--width-shift-range", r.GetValue(width)),
                         ("--height-shift-range", r.GetValue(height)), ("--shear-range", r.GetValue(shear)), ("--zoom-range", r.GetValue(zoom)),
                         ("--channel-shift-range", r.GetValue(channel)), ("--cval", (float?)r.GetValue(cval)) })
                FlagLimits.RequireFinite(flag, value);
            if (!Directory.Exists(dir))
                throw new DirectoryNotFoundException(File.Exists(dir) ? $"--data: '{dir}' is a file; give a folder of images." : $"--data: folder '{dir}' does not exist.");
            string outputPath = OutputPath.CheckFile(r.GetValue(output)!, "--output", [".png"], ("--data", dir));
            bool any = r.GetValue(rotation) is not null || r.GetValue(width) is not null || r.GetValue(height) is not null ||
                       r.GetValue(shear) is not null || r.GetValue(zoom) is not null || r.GetValue(channel) is not null ||
                       r.GetValue(brightness) is not null || r.GetValue(hflip) || r.GetValue(vflip);
            var mode = r.GetValue(fill)!.ToLowerInvariant() switch
            {
                "nearest" => FillMode.Nearest, "constant" => FillMode.Constant, "reflect" => FillMode.Reflect, "wrap" => FillMode.Wrap,
                var m => throw new UsageException("--fill-mode", $"'{m}' is not one of nearest, constant, reflect, wrap."),
            };
            ImageDataGenerator gen;
            try
            {
                gen = any
                    ? new ImageDataGenerator(rotationRange: r.GetValue(rotation) ?? 0, widthShiftRange: r.GetValue(width) ?? 0,
                        heightShiftRange: r.GetValue(height) ?? 0, shearRange: r.GetValue(shear) ?? 0, zoomRange: r.GetValue(zoom) ?? 0,
                        channelShiftRange: r.GetValue(channel) ?? 0, brightnessRange: ParseRange(r.GetValue(brightness)),
                        horizontalFlip: r.GetValue(hflip), verticalFlip: r.GetValue(vflip), fillMode: mode, cval: r.GetValue(cval))
                    : new ImageDataGenerator(rotationRange: 40, widthShiftRange: 0.2, heightShiftRange: 0.2, shearRange: 0.2,
                        zoomRange: 0.2, horizontalFlip: true, fillMode: mode, cval: r.GetValue(cval));
            }
            catch (ArgumentException e) when (e.ParamName is { Length: > 0 } p)
            {
                // The generator names its parameter (zoomRange); the user typed the flag (--zoom-range).
                string flag = "--" + string.Concat(p.Select(c => char.IsUpper(c) ? "-" + char.ToLowerInvariant(c) : c.ToString()));
                throw new UsageException(flag, e.Message.Replace($" (Parameter '{p}')", ""));
            }
            var files = PickImages(dir, rows, r.GetValue(followLinks));
            var (gh, gw) = AugmentPreview.WriteGrid(gen, files, outputPath, columns, (n, n), r.GetValue(seed));
            Console.WriteLine($"Wrote {outputPath} ({gw}x{gh}): {files.Count} images × {columns} augmented versions" +
                              (any ? "." : " with the chapter's augmentation (rotation 40, shifts 0.2, shear 0.2, zoom 0.2, horizontal flips)."));
            foreach (var f in files) Console.WriteLine($"  {f}");
            return 0;
        });
        return cmd;
    }

    /// <summary>Limits of the grid: a preview, not a dataset writer (100 × 101 images of 150² is already 15,000×15,000 pixels).</summary>
    private const int MaxRows = 100, MaxColumns = 100, MaxTargetSize = 4096;

    /// <summary><paramref name="count"/> image files spread evenly over the sorted files under <paramref name="dir"/> (FolderWalker's rules).</summary>
    private static List<string> PickImages(string dir, int count, bool followLinks)
    {
        var files = FolderWalker.ImageFiles(dir, followLinks);
        if (files.Count == 0)
            throw new ArgumentException($"--data: no image files under '{dir}' (looked for {string.Join(" ", DirectoryIterator.ImageExtensions)}){(followLinks ? "" : "; linked sub-folders are entered only with --follow-links")}.");
        count = Math.Min(count, files.Count);
        return Enumerable.Range(0, count).Select(i => files[(int)((long)i * files.Count / count)]).ToList();
    }

    private static (float Low, float High)? ParseRange(string? text)
    {
        if (text is null) return null;
        var parts = text.Split(',');
        if (parts.Length == 2 && float.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out float lo) &&
            float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out float hi) && float.IsFinite(lo) && float.IsFinite(hi))
            return (lo, hi);
        throw new UsageException("--brightness-range", $"'{text}' is not LOW,HIGH, e.g. 0.5,1.5.");
    }
}
