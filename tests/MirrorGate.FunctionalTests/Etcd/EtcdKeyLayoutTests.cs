using MirrorGate.Etcd;
using MirrorGate.Resources;

namespace MirrorGate.FunctionalTests.Etcd;

/// <summary>APISIX's key layout and the checks applied to values, without an etcd.</summary>
public sealed class EtcdKeyLayoutTests
{
    [Theory]
    [InlineData("/apisix", "/apisix/routes/1", "Item", ResourceKind.Route, "1")]
    [InlineData("/apisix", "/apisix/upstreams/u-1", "Item", ResourceKind.Upstream, "u-1")]
    [InlineData("/apisix", "/apisix/services/00000000000000000012", "Item", ResourceKind.Service, "00000000000000000012")]
    [InlineData("/apisix", "/apisix/routes/", "MalformedItem", ResourceKind.Route, "")]
    [InlineData("/apisix", "/apisix/routes/a/b", "MalformedItem", ResourceKind.Route, "a/b")]
    [InlineData("/apisix", "/apisix/plugins", "Foreign", ResourceKind.Route, "")]
    [InlineData("/apisix", "/apisix/gen_id", "Foreign", ResourceKind.Route, "")]
    [InlineData("/apisix", "/apisix/consumers/jack", "Item", ResourceKind.Consumer, "jack")]
    [InlineData("/apisix", "/apisix/consumers/jack/credentials/c1", "Item", ResourceKind.Credential, "jack/c1")]
    [InlineData("/apisix", "/apisix/consumers/jack/credentials/", "MalformedItem", ResourceKind.Credential, "jack/")]
    [InlineData("/apisix", "/apisix/consumers/jack/credentials/a/b", "MalformedItem", ResourceKind.Credential, "jack/a/b")]
    [InlineData("/apisix", "/apisixx/routes/1", "Foreign", ResourceKind.Route, "")]
    [InlineData("/", "/routes/7", "Item", ResourceKind.Route, "7")]
    [InlineData("/gw/a", "/gw/a/routes/7", "Item", ResourceKind.Route, "7")]
    public void Classify_Key_KindAndId(string prefix, string key, string expected, ResourceKind kind, string id)
    {
        var layout = new EtcdKeyLayout(prefix);

        var found = layout.Classify(key, out var foundKind, out var foundId);

        Assert.Equal(expected, found.ToString());
        if (found != KeyClass.Foreign)
        {
            Assert.Equal((kind, id), (foundKind, foundId));
        }
    }

    [Fact]
    public void Keys_DefaultPrefix_ApisixLayout()
    {
        var layout = new EtcdKeyLayout("/apisix");

        Assert.Equal("/apisix/routes/1", layout.Key(ResourceKind.Route, "1"));
        Assert.Equal("/apisix/consumers/jack/credentials/c1", layout.Key(ResourceKind.Credential, "jack/c1"));
        Assert.Equal("/apisix/upstreams/", layout.KindDirectory(ResourceKind.Upstream));
        Assert.Equal("/apisix/gen_id", layout.GenIdKey);
        Assert.Equal("/apisix0", EtcdKeyLayout.RangeEnd("/apisix/").ToStringUtf8());
    }

    [Theory]
    [InlineData("""{"id":"1"}""", true)]
    [InlineData("""  {"a":[1,{"b":null}]}  """, true)]
    [InlineData("init_dir", false)]
    [InlineData("", false)]
    [InlineData("[1]", false)]
    [InlineData("\"text\"", false)]
    [InlineData("""{"id":"1"}{"id":"2"}""", false)]
    [InlineData("""{"id":"1" """, false)]
    public void IsObject_Value_OnlyOneWellFormedObject(string value, bool expected)
    {
        Assert.Equal(expected, JsonObjectCheck.IsObject(System.Text.Encoding.UTF8.GetBytes(value), out var problem));
        Assert.Equal(expected, problem is null);
    }
}
