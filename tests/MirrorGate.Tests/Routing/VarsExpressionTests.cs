using System.Text.Json.Nodes;
using MirrorGate.Routing;
using static MirrorGate.Tests.Routing.RoutingTestRequests;

namespace MirrorGate.Tests.Routing;

public sealed class VarsExpressionTests
{
    [Theory]
    [InlineData("""[["arg_a","==","1"]]""", "?a=1", true)]
    [InlineData("""[["arg_a","==","1"]]""", "?a=2", false)]
    [InlineData("""[["arg_a","==","1"]]""", "", false)]
    [InlineData("""[["arg_a","==",1]]""", "?a=1.0", true)]
    [InlineData("""[["arg_a","==",1]]""", "?a=x", false)]
    [InlineData("""[["arg_a","==",null]]""", "", true)]
    [InlineData("""[["arg_a","~=","1"]]""", "?a=2", true)]
    [InlineData("""[["arg_a","~=","1"]]""", "?a=1", false)]
    [InlineData("""[["arg_a","~=",1]]""", "?a=x", true)]
    [InlineData("""[["arg_a","~=",null]]""", "?a=1", true)]
    [InlineData("""[["arg_a",">",10]]""", "?a=11", true)]
    [InlineData("""[["arg_a",">","10"]]""", "?a=10", false)]
    [InlineData("""[["arg_a",">",10]]""", "?a=abc", false)]
    [InlineData("""[["arg_a",">=",10]]""", "?a=10", true)]
    [InlineData("""[["arg_a","<",10]]""", "?a=9.5", true)]
    [InlineData("""[["arg_a","<",10]]""", "?a=0x10", false)]
    [InlineData("""[["arg_a","<=",10]]""", "?a=10", true)]
    [InlineData("""[["arg_a","<=",10]]""", "", false)]
    [InlineData("""[["arg_a","~~","^[a-z]+$"]]""", "?a=abc", true)]
    [InlineData("""[["arg_a","~~","^[a-z]+$"]]""", "?a=ABC", false)]
    [InlineData("""[["arg_a","~~","^[a-z]+$"]]""", "?a=abc%0A", false)]
    [InlineData("""[["arg_a","~~","b"]]""", "?a=abc", true)]
    [InlineData("""[["arg_a","~~","b"]]""", "", false)]
    [InlineData("""[["arg_a","~*","^[a-z]+$"]]""", "?a=ABC", true)]
    [InlineData("""[["arg_a","~~","("]]""", "?a=(", false)]
    [InlineData("""[["arg_a","in",["x","y"]]]""", "?a=y", true)]
    [InlineData("""[["arg_a","in",["x","y"]]]""", "?a=z", false)]
    [InlineData("""[["arg_a","in",[1,2]]]""", "?a=1", false)]
    [InlineData("""[["arg_a","IN",["x"]]]""", "?a=x", true)]
    [InlineData("""[["arg_a","has","y"]]""", "?a=x&a=y", true)]
    [InlineData("""[["arg_a","has","z"]]""", "?a=x&a=y", false)]
    [InlineData("""[["arg_a","ipmatch",["10.0.0.0/8","::1"]]]""", "?a=10.9.9.9", true)]
    [InlineData("""[["arg_a","ipmatch","10.0.0.0/8"]]""", "?a=11.0.0.1", false)]
    [InlineData("""[["arg_a","ipmatch","10.0.0.0/8"]]""", "?a=nonsense", false)]
    [InlineData("""[["arg_a","1"]]""", "?a=1", true)]
    public void Evaluate_Operator_ComparesLikeLuaRestyExpr(string vars, string query, bool expected) =>
        Assert.Equal(expected, Vars(vars).Evaluate(Request("/", query: query)));

    [Theory]
    [InlineData("""[["arg_a","!","==","1"]]""", "?a=1", false)]
    [InlineData("""[["arg_a","!","==","1"]]""", "?a=2", true)]
    [InlineData("""[["arg_a","!","in",["x"]]]""", "?a=y", true)]
    [InlineData("""[["arg_a","!","~~","^x"]]""", "?a=xyz", false)]
    [InlineData("""[["arg_a","!",">",5]]""", "", true)]
    public void Evaluate_NotForm_InvertsResult(string vars, string query, bool expected) =>
        Assert.Equal(expected, Vars(vars).Evaluate(Request("/", query: query)));

    [Theory]
    [InlineData("""[["arg_a","==","1"],["arg_b","==","2"]]""", "?a=1&b=2", true)]
    [InlineData("""[["arg_a","==","1"],["arg_b","==","2"]]""", "?a=1&b=3", false)]
    [InlineData("""["OR",["arg_a","==","1"],["arg_b","==","2"]]""", "?a=0&b=2", true)]
    [InlineData("""["or",["arg_a","==","1"],["arg_b","==","2"]]""", "?a=0&b=0", false)]
    [InlineData("""["AND",["arg_a","==","1"],["arg_b","==","2"]]""", "?a=1&b=2", true)]
    [InlineData("""["!AND",["arg_a","==","1"],["arg_b","==","2"]]""", "?a=1&b=2", false)]
    [InlineData("""["!AND",["arg_a","==","1"],["arg_b","==","2"]]""", "?a=1&b=0", true)]
    [InlineData("""["!OR",["arg_a","==","1"],["arg_b","==","2"]]""", "?a=0&b=0", true)]
    [InlineData("""["!OR",["arg_a","==","1"],["arg_b","==","2"]]""", "?a=1&b=0", false)]
    [InlineData("""["AND",["OR",["arg_a","==","1"],["arg_a","==","2"]],["arg_b","==","3"]]""", "?a=2&b=3", true)]
    [InlineData("""[["OR",["arg_a","==","1"],["arg_a","==","2"]],["arg_b","==","3"]]""", "?a=2&b=4", false)]
    [InlineData("""[]""", "", true)]
    public void Evaluate_LogicalGroups_CombineLikeLuaRestyExpr(string vars, string query, bool expected) =>
        Assert.Equal(expected, Vars(vars).Evaluate(Request("/", query: query)));

    [Fact]
    public void Evaluate_HeaderVariable_UnderscoreIsDashAndCaseInsensitive()
    {
        var context = Request("/", headers: ("X-Api-Version", "v2"));

        Assert.True(Vars("""[["http_x_api_version","==","v2"]]""").Evaluate(context));
        Assert.True(Vars("""[["http_X_API_VERSION","==","v2"]]""").Evaluate(context));
        Assert.False(Vars("""[["http_x_missing","~=",null]]""").Evaluate(context));
    }

    [Fact]
    public void Evaluate_CookieVariable_ReadsCookie()
    {
        var context = Request("/", headers: ("Cookie", "session=abc; theme=dark"));

        Assert.True(Vars("""[["cookie_theme","==","dark"]]""").Evaluate(context));
        Assert.False(Vars("""[["cookie_session","==","zzz"]]""").Evaluate(context));
    }

    [Fact]
    public void Evaluate_RequestVariables_ReadFromContext()
    {
        var context = Request("/p/q", "PUT", host: "Api.Example.com:8443", query: "?x=1&y=2", remoteIp: "::ffff:10.0.0.5");
        context.Connection.RemotePort = 50000;
        context.Connection.LocalPort = 9080;

        Assert.True(Vars("""[["uri","==","/p/q"]]""").Evaluate(context));
        Assert.True(Vars("""[["request_uri","==","/p/q?x=1&y=2"]]""").Evaluate(context));
        Assert.True(Vars("""[["host","==","api.example.com"]]""").Evaluate(context));
        Assert.True(Vars("""[["remote_addr","==","10.0.0.5"]]""").Evaluate(context));
        Assert.True(Vars("""[["remote_addr","ipmatch","10.0.0.0/24"]]""").Evaluate(context));
        Assert.True(Vars("""[["remote_port","==",50000]]""").Evaluate(context));
        Assert.True(Vars("""[["server_port","==","9080"]]""").Evaluate(context));
        Assert.True(Vars("""[["request_method","==","PUT"]]""").Evaluate(context));
        Assert.True(Vars("""[["scheme","==","http"]]""").Evaluate(context));
        Assert.True(Vars("""[["query_string","==","x=1&y=2"]]""").Evaluate(context));
        Assert.True(Vars("""[["no_such_var","==",null]]""").Evaluate(context));
    }

    [Theory]
    [InlineData("""[["arg_a","=","1"]]""", "invalid operator '='")]
    [InlineData("""[["arg_name",123,"jack"]]""", "invalid operator '123'")]
    [InlineData("""[["arg_a","*=","1"]]""", "invalid operator '*='")]
    [InlineData("""["arg_a","==","1"]""", "rule should be wrapped inside brackets")]
    [InlineData("""[[]]""", "rule too short")]
    [InlineData("""["AND",["arg_a","==","1"]]""", "rule too short")]
    [InlineData("""[["OR"]]""", "rule too short")]
    [InlineData("""[["arg_a","?","==","1"]]""", "bad 'not' expression")]
    [InlineData("""[["arg_a"]]""", "invalid expression")]
    [InlineData("""[["arg_a",null,"1"]]""", "invalid expression")]
    [InlineData("""[["arg_a","==","1"],"x"]""", "invalid expression")]
    [InlineData("""[["remote_addr","ipmatch",[]]]""", "invalid ip address")]
    [InlineData("""[["remote_addr","ipmatch",""]]""", "invalid ip address")]
    [InlineData("""[["remote_addr","ipmatch"]]""", "invalid ip address")]
    [InlineData("""[["remote_addr","ipmatch",["1.2.3.4","300.1.1.1/8"]]]""", "invalid ip address: 300.1.1.1")]
    public void Validate_InvalidExpression_ApisixMessage(string vars, string error)
    {
        var array = JsonNode.Parse(vars)!.AsArray();
        var expected = "failed to validate the 'vars' expression: " + error;

        Assert.Equal(expected, VarsExpression.Validate(array));
        Assert.Equal(expected, Assert.Throws<VarsExpressionException>(() => VarsExpression.Compile(array)).Message);
    }

    [Theory]
    [InlineData("""[]""")]
    [InlineData("""[["arg_a","==","1"]]""")]
    [InlineData("""["OR",["arg_a","==","1"],["arg_b","!","~~","x"]]""")]
    [InlineData("""[["arg_a","in"]]""")]
    [InlineData("""[["arg_a","~~","("]]""")]
    public void Validate_ValidExpression_Null(string vars) =>
        Assert.Null(VarsExpression.Validate(JsonNode.Parse(vars)!.AsArray()));
}
