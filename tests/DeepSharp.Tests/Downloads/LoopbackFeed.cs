using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DeepSharp.Tests.Downloads;

/// <summary>
/// A NuGet v3 feed on the loopback (HttpListener, a real HTTP server): <c>/v3/index.json</c> names the flat container
/// <c>/flat/</c>, which serves the files given as <c>{id}/{version}/{file}</c> (lower case). Tests never use the internet.
/// </summary>
internal sealed class LoopbackFeed : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly Thread _thread;
    private int _requests;

    public LoopbackFeed()
    {
        int port = FreePort();
        Root = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Root);
        _listener.Start();
        _thread = new Thread(Serve) { IsBackground = true, Name = "loopback NuGet feed" };
        _thread.Start();
    }

    public string Root { get; }

    /// <summary>The service index address, as NuGet.Config would list it.</summary>
    public string IndexUrl => Root + "v3/index.json";

    /// <summary>Requests answered so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Serves <paramref name="bytes"/> as the package file.</summary>
    public void Add(string id, string version, byte[] bytes) =>
        _files[$"flat/{id.ToLowerInvariant()}/{version}/{id.ToLowerInvariant()}.{version}.nupkg"] = bytes;

    /// <summary>A loopback port nothing listens on (connections are refused at once).</summary>
    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private void Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = _listener.GetContext(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            Interlocked.Increment(ref _requests);
            try
            {
                string path = context.Request.Url!.AbsolutePath.TrimStart('/');
                byte[]? body = path == "v3/index.json"
                    ? Encoding.UTF8.GetBytes($$"""{"version": "3.0.0", "resources": [{"@id": "{{Root}}flat/", "@type": "PackageBaseAddress/3.0.0"}]}""")
                    : _files.GetValueOrDefault(path);
                context.Response.StatusCode = body is null ? 404 : 200;
                if (body is not null)
                {
                    context.Response.ContentLength64 = body.Length;
                    context.Response.OutputStream.Write(body);
                }
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException) { }
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _thread.Join(TimeSpan.FromSeconds(5));
    }
}
