using System.Text.Json.Nodes;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Tests.Resources.Validation;

public sealed class JsonSchemaValidatorTests
{
    private static string? Validate(string schema, string value) =>
        JsonSchemaValidator.Validate(JsonNode.Parse(schema)!, JsonNode.Parse(value));

    [Fact]
    public void Validate_MissingRequired_NamesProperty() =>
        Assert.Equal("property \"host\" is required", Validate("""{"type":"object","required":["host"]}""", "{}"));

    [Theory]
    [InlineData("123", "number")]
    [InlineData("true", "boolean")]
    [InlineData("{}", "table")]
    [InlineData("[1]", "table")]
    [InlineData("null", "userdata")]
    public void Validate_WrongType_UsesLuaTypeName(string value, string luaType) =>
        Assert.Equal(
            $"property \"host\" validation failed: wrong type: expected string, got {luaType}",
            Validate("""{"type":"object","properties":{"host":{"type":"string"}}}""", $$"""{"host":{{value}}}"""));

    [Fact]
    public void Validate_TypeArray_ListsTypes() =>
        Assert.Equal("wrong type: expected one of string, integer, got boolean", Validate("""{"type":["string","integer"]}""", "true"));

    [Fact]
    public void Validate_IntegerWithFraction_IsWrongType() =>
        Assert.Equal("wrong type: expected integer, got number", Validate("""{"type":"integer"}""", "1.5"));

    [Fact]
    public void Validate_IntegerWrittenAsFloat_IsAccepted() => Assert.Null(Validate("""{"type":"integer"}""", "2.0"));

    [Fact]
    public void Validate_EmptyArrayAsObject_IsAcceptedLikeLua()
    {
        Assert.Null(Validate("""{"type":"object"}""", "[]"));
        Assert.Null(Validate("""{"type":"array"}""", "{}"));
        Assert.Equal("wrong type: expected array, got table", Validate("""{"type":"array"}""", """{"a":1}"""));
    }

    [Fact]
    public void Validate_PatternMismatch_DoublesBackslashes() =>
        Assert.Equal(
            """property "labels" validation failed: failed to validate env (matching ".*"): failed to match pattern "^\\S+$" with "a b" """.TrimEnd(),
            JsonSchemaValidator.Validate(ResourceSchemas.For(MirrorGate.Resources.ResourceKind.Route), JsonNode.Parse("""{"uri":"/a","plugins":{},"labels":{"env":"a b"}}""")));

    [Fact]
    public void Validate_PatternValueWithQuoteAndNewline_QuotedLikeLua() =>
        Assert.Equal("failed to match pattern \"^a$\" with \"b\\\"\\\n\\0013\"", Validate("""{"pattern":"^a$"}""", "\"b\\\"\\n\\u00013\""));

    [Fact]
    public void Validate_Enum_MatchesNone() =>
        Assert.Equal(
            "property \"path_concat_mode\" validation failed: matches none of the enum values",
            Validate("""{"properties":{"path_concat_mode":{"enum":["replace","prefix"]}}}""", """{"path_concat_mode":"x"}"""));

    [Theory]
    [InlineData("""{"maximum":1}""", "10", "expected 10 to be at most 1")]
    [InlineData("""{"minimum":0.00001}""", "0", "expected 0 to be at least 1e-05")]
    [InlineData("""{"maximum":0.25}""", "0.5", "expected 0.5 to be at most 0.25")]
    [InlineData("""{"exclusiveMinimum":0}""", "0", "expected 0 to be greater than 0")]
    [InlineData("""{"exclusiveMaximum":5}""", "5", "expected 5 to be smaller than 5")]
    [InlineData("""{"maximum":1}""", "1e20", "expected 1e+20 to be at most 1")]
    [InlineData("""{"maximum":0}""", "0.1", "expected 0.1 to be at most 0")]
    public void Validate_NumberOutOfRange_PrintsLikeLua(string schema, string value, string expected) =>
        Assert.Equal(expected, Validate(schema, value));

    [Fact]
    public void Validate_ArrayItemFails_NamesOneBasedIndex() =>
        Assert.Equal(
            "property \"methods\" validation failed: failed to validate item 2: matches none of the enum values",
            Validate("""{"properties":{"methods":{"type":"array","items":{"enum":["GET","POST"]}}}}""", """{"methods":["GET","FOO"]}"""));

    [Fact]
    public void Validate_AdditionalProperty_Forbidden() =>
        Assert.Equal("additional properties forbidden, found extra", Validate("""{"properties":{"a":{}},"additionalProperties":false}""", """{"a":1,"extra":2}"""));

    [Fact]
    public void Validate_AdditionalPropertySchema_NamesProperty() =>
        Assert.Equal(
            "failed to validate additional property x: wrong type: expected string, got number",
            Validate("""{"additionalProperties":{"type":"string"}}""", """{"x":1}"""));

    [Fact]
    public void Validate_AnyOfRequired_ListsRequiredSets() =>
        Assert.Equal(
            """object matches none of the required: ["plugins","uri"] or ["upstream","uri"]""",
            Validate("""{"anyOf":[{"required":["plugins","uri"]},{"required":["upstream","uri"]}]}""", """{"uri":"/"}"""));

    [Fact]
    public void Validate_AnyOfWithoutRequired_HasNoList() =>
        Assert.Equal("object matches none of the required", Validate("""{"anyOf":[{"type":"string"},{"type":"integer"}]}""", "true"));

    [Fact]
    public void Validate_OneOf_NoneAndBoth()
    {
        const string schema = """{"oneOf":[{"required":["uri"]},{"required":["uris"]}]}""";
        Assert.Equal("value should match only one schema, but matches none", Validate(schema, "{}"));
        Assert.Equal("value should match only one schema, but matches both schemas 1 and 2", Validate(schema, """{"uri":"/","uris":["/"]}"""));
        Assert.Null(Validate(schema, """{"uri":"/"}"""));
    }

    [Fact]
    public void Validate_AllOf_PrefixesIndex() =>
        Assert.Equal("allOf 1 failed: wrong type: expected string, got number", Validate("""{"allOf":[{"type":"string"}]}""", "1"));

    [Fact]
    public void Validate_Not_Matches() =>
        Assert.Equal("value wasn't supposed to match schema", Validate("""{"not":{"required":["a"]}}""", """{"a":1}"""));

    [Fact]
    public void Validate_StringLength_TooShortAndTooLong()
    {
        Assert.Equal("string too short, expected at least 1, got 0", Validate("""{"minLength":1}""", "\"\""));
        Assert.Equal("string too long, expected at most 3, got 4", Validate("""{"maxLength":3}""", "\"abcd\""));
        Assert.Null(Validate("""{"maxLength":3}""", "\"äöü\""));
    }

    [Fact]
    public void Validate_ArrayTooShortOrLong_Messages()
    {
        Assert.Equal("expect array to have at least 1 items", Validate("""{"type":"array","minItems":1}""", "[]"));
        Assert.Equal("expect array to have at most 1 items", Validate("""{"type":"array","maxItems":1}""", "[1,2]"));
    }

    [Fact]
    public void Validate_UniqueItems_NamesEqualPair()
    {
        Assert.Equal("expected unique items but items 1 and 2 are equal", Validate("""{"uniqueItems":true}""", """["GET","GET"]"""));
        Assert.Equal("expected unique items but items 2 and 3 are equal", Validate("""{"uniqueItems":true}""", """[{"a":1},{"a":[1]},{"a":[1]}]"""));
        Assert.Null(Validate("""{"uniqueItems":true}""", """[1,"1"]"""));
    }

    [Theory]
    [InlineData("""[1,2,1,2]""", "1 and 3")]
    [InlineData("""[1,2,2,1]""", "2 and 3")]
    [InlineData("""[0,-0]""", "1 and 2")]
    [InlineData("""[1,1.0]""", "1 and 2")]
    [InlineData("""[null,true,null]""", "1 and 3")]
    [InlineData("""[{"a":1},{"b":2},{"b":2},{"a":1}]""", "1 and 4")]
    [InlineData("""[{"a":1,"b":[2]},{"b":[2],"a":1}]""", "1 and 2")]
    [InlineData("""[{},[]]""", "1 and 2")]
    [InlineData("""[{"x":1},"a","a"]""", "2 and 3")]
    public void Validate_UniqueItemsDuplicate_ReportsApi7Pair(string array, string pair) =>
        Assert.Equal($"expected unique items but items {pair} are equal", Validate("""{"uniqueItems":true}""", array));

    [Theory]
    [InlineData("""[["ab"],["a","b"]]""")]
    [InlineData("""[{"a":"b"},{"ab":""}]""")]
    [InlineData("""[["1"],{"1":"1"}]""")]
    [InlineData("""[true,false,"t",1,"1"]""")]
    public void Validate_UniqueItemsDistinct_Valid(string array) =>
        Assert.Null(Validate("""{"uniqueItems":true}""", array));

    [Fact]
    public void Validate_UniqueItemsLongList_CheckedInOnePass()
    {
        var items = new JsonArray(Enumerable.Range(0, 20_000).Select(i => (JsonNode)JsonValue.Create($"/p/{i}")).ToArray());
        items.Add("/p/19999");

        Assert.Equal("expected unique items but items 20000 and 20001 are equal", JsonSchemaValidator.Validate(JsonNode.Parse("""{"uniqueItems":true}""")!, items));
    }

    [Fact]
    public void Validate_NestedProperties_Compose() =>
        Assert.Equal(
            "property \"upstream\" validation failed: property \"nodes\" validation failed: wrong type: expected object, got string",
            Validate("""{"properties":{"upstream":{"properties":{"nodes":{"type":"object"}}}}}""", """{"upstream":{"nodes":"x"}}"""));

    [Fact]
    public void Validate_PropertyCounts_Messages()
    {
        Assert.Equal("expect object to have at least 1 properties", Validate("""{"minProperties":1}""", "{}"));
        Assert.Equal("expect object to have at most 1 properties", Validate("""{"maxProperties":1}""", """{"a":1,"b":2}"""));
    }

    [Fact]
    public void Validate_Dependencies_ListAndSchema()
    {
        Assert.Equal(
            "property \"b\" is required when \"a\" is set",
            Validate("""{"properties":{"a":{}},"dependencies":{"a":["b"]}}""", """{"a":1}"""));
        Assert.Equal(
            "failed to validate dependent schema for \"a\": property \"b\" is required",
            Validate("""{"dependencies":{"a":{"required":["b"]}}}""", """{"a":1}"""));
    }

    [Fact]
    public void Validate_DefaultKeyword_IsIgnoredAndNotInjected()
    {
        var value = JsonNode.Parse("{}")!;
        Assert.Null(JsonSchemaValidator.Validate(JsonNode.Parse("""{"properties":{"a":{"default":1}}}""")!, value));
        Assert.Equal("{}", value.ToJsonString());
    }

    [Fact]
    public void Validate_Ipv4Format_UsesInetPtonRules()
    {
        Assert.Null(Validate("""{"format":"ipv4"}""", "\"10.0.0.1\""));
        Assert.Equal("expect valid ipv4 format but got: 10.0.0.01", Validate("""{"format":"ipv4"}""", "\"10.0.0.01\""));
        Assert.Null(Validate("""{"format":"ipv6"}""", "\"::ffff:1.2.3.4\""));
        Assert.Equal("expect valid ipv6 format but got: ::1%eth0", Validate("""{"format":"ipv6"}""", "\"::1%eth0\""));
    }
}
