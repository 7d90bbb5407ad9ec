using DeepSharp.Data;

namespace DeepSharp.Tests.Data;

/// <summary>CsvWriter: RFC 4180 quoting and OWASP's neutralisation of cells a spreadsheet would run as formulas.</summary>
public class CsvWriterTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+1", "'+1")]
    [InlineData("-2", "'-2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "\"'\rx\"")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("line\nbreak", "\"line\nbreak\"")]
    [InlineData("=a,\"b\"", "\"'=a,\"\"b\"\"\"")]
    [InlineData("", "")]
    public void TextFieldsAreQuotedAndNeutralised(string text, string expected) => Assert.Equal(expected, CsvWriter.Field(text));

    [Fact]
    public void NumbersKeepTheirSignAndRowsEndWithCrLf()
    {
        var csv = new CsvWriter().TextRow(["file", "-p"]).Row([CsvWriter.Field("=x"), CsvWriter.Number(-0.25)]);
        Assert.Equal("file,'-p\r\n'=x,-0.25\r\n", csv.ToString());
    }

    [Fact]
    public void AnotherSeparatorIsQuotedToo() => Assert.Equal("\"a;b\"", CsvWriter.Field("a;b", ";"));
}
