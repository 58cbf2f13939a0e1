package config

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// nonZero sets v, a field of Rule or Override, to a value other than its
// zero value.
func nonZero(t *testing.T, name string, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int, reflect.Int64:
		v.SetInt(v.Int() + 1)
	case reflect.Slice:
		e := reflect.New(v.Type().Elem()).Elem()
		nonZero(t, name+"[0]", e)
		v.Set(reflect.Append(v, e))
	case reflect.Pointer:
		if v.Type() == reflect.TypeOf(&regexp.Regexp{}) {
			v.Set(reflect.ValueOf(regexp.MustCompile("x")))
			return
		}
		p := reflect.New(v.Type().Elem())
		nonZero(t, name, p.Elem())
		v.Set(p)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			nonZero(t, name+"."+v.Type().Field(i).Name, v.Field(i))
		}
	default:
		t.Fatalf("%s: a field of kind %s; teach nonZero to set it", name, v.Kind())
	}
}

// TestRulesIDCoversEveryField: changing any field of any rule or override,
// or the initial stage, changes the id, so the rules are applied again.
// The fields are found by reflection: a field added to Rule later is
// covered without touching RulesID or this test.
func TestRulesIDCoversEveryField(t *testing.T) {
	base := Default()
	base.Assignment = Assignment{Rules: []Rule{{Name: "a", Ministry: "m"}}, Overrides: []Override{{Recommendation: "R:1", Ministry: "m"}}}
	id := base.RulesID()
	if strings.HasPrefix(id, "unencodable") {
		t.Fatal(id)
	}
	seen := map[string]bool{id: true}
	check := func(what string, c *Config) {
		t.Helper()
		got := c.RulesID()
		if strings.HasPrefix(got, "unencodable") {
			t.Errorf("%s: %s", what, got)
		}
		if seen[got] {
			t.Errorf("changing %s leaves the rules id unchanged (or equal to another change's)", what)
		}
		seen[got] = true
	}
	for _, typ := range []reflect.Type{reflect.TypeOf(Rule{}), reflect.TypeOf(Override{})} {
		for i := 0; i < typ.NumField(); i++ {
			c := *base
			c.Assignment = Assignment{Rules: append([]Rule(nil), base.Assignment.Rules...), Overrides: append([]Override(nil), base.Assignment.Overrides...)}
			var v reflect.Value
			if typ == reflect.TypeOf(Rule{}) {
				v = reflect.ValueOf(&c.Assignment.Rules[0]).Elem().Field(i)
			} else {
				v = reflect.ValueOf(&c.Assignment.Overrides[0]).Elem().Field(i)
			}
			nonZero(t, typ.Name()+"."+typ.Field(i).Name, v)
			check(typ.Name()+"."+typ.Field(i).Name, &c)
		}
	}
	c := *base
	c.InitialStage = "acknowledged"
	check("the initial stage", &c)
	c = *base
	c.Assignment.Rules = append([]Rule{{Ministry: "m"}}, base.Assignment.Rules...)
	check("the order of the rules", &c)
	if again := base.RulesID(); again != id {
		t.Errorf("the id of the same rules changed: %s, then %s", id, again)
	}
}

// TestRulesIDIgnoresTheRest: editing what does not decide owners (a
// ministry's address, a schedule) keeps the id, so nothing is re-applied.
func TestRulesIDIgnoresTheRest(t *testing.T) {
	a := Default()
	b := Default()
	b.Coordinator.FocalPoints = append(b.Coordinator.FocalPoints, FocalPoint{Email: "x@example.org"})
	b.Digests.MaxListed++
	if a.RulesID() != b.RulesID() {
		t.Error("the rules id depends on more than the rules")
	}
}
