package docx

import "fmt"

const rootRels = xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
	`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>` +
	`</Relationships>`

const appXML = xmlHeader + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>followup</Application></Properties>`

// The footer holds the page number, centred, as a PAGE field: Word and
// LibreOffice compute it when they lay the pages out.
const footerXML = xmlHeader + `<w:ftr ` + nsW + `><w:p><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="center"/></w:pPr>` +
	`<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>` +
	`<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:ftr>`

// numberingXML numbers ParaNoG paragraphs 1., 2., 3. through the whole
// document, the number at the text's left indent and the text after a tab,
// as in the UN's template.
const numberingXML = xmlHeader + `<w:numbering ` + nsW + `>` +
	`<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="singleLevel"/>` +
	`<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:pStyle w:val="ParaNoG"/><w:lvlText w:val="%1."/><w:lvlJc w:val="left"/>` +
	`<w:pPr><w:tabs><w:tab w:val="num" w:pos="1701"/></w:tabs><w:ind w:left="1134" w:firstLine="0"/></w:pPr></w:lvl>` +
	`</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>`

func settings(lang string) []byte {
	if lang == "" {
		lang = "en-GB"
	}
	return fmt.Appendf(nil, xmlHeader+`<w:settings `+nsW+`><w:defaultTabStop w:val="567"/><w:characterSpacingControl w:val="doNotCompress"/>`+
		`<w:footnotePr><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>`+
		`<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>`+
		`<w:themeFontLang w:val="%s" w:bidi="lo-LA"/></w:settings>`, attrEscape(lang))
}

// styles are those of the UN's Geneva template in spirit: Times New Roman
// 10 pt, body text indented 1134 twips (2 cm) on both sides, headings in
// bold. Headings use Word's built-in ids and names so that the navigation
// pane, outline view and a table of contents find them.
func styles(lang string) []byte {
	if lang == "" {
		lang = "en-GB"
	}
	return fmt.Appendf(nil, xmlHeader+`<w:styles `+nsW+`>`+
		`<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="SimSun" w:cs="Times New Roman"/>`+
		`<w:sz w:val="20"/><w:szCs w:val="20"/><w:lang w:val="%s" w:eastAsia="zh-CN" w:bidi="lo-LA"/></w:rPr></w:rPrDefault>`+
		`<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="atLeast"/></w:pPr></w:pPrDefault></w:docDefaults>`+
		style("paragraph", "Normal", "Normal", "", true, ``, ``)+
		style("paragraph", "Title", "Title", "Normal", true, `<w:keepNext/><w:keepLines/><w:spacing w:before="360" w:after="240" w:line="300" w:lineRule="exact"/><w:ind w:left="1134" w:right="1134" w:hanging="1134"/>`, `<w:b/><w:bCs/><w:sz w:val="28"/><w:szCs w:val="28"/>`)+
		style("paragraph", "Subtitle", "Subtitle", "Normal", true, `<w:keepNext/><w:spacing w:after="120"/><w:ind w:left="1134" w:right="1134"/>`, `<w:sz w:val="24"/><w:szCs w:val="24"/>`)+
		heading(1, `<w:spacing w:before="360" w:after="240" w:line="270" w:lineRule="exact"/><w:ind w:left="1134" w:right="1134" w:hanging="1134"/>`, `<w:b/><w:bCs/><w:sz w:val="24"/><w:szCs w:val="24"/>`)+
		heading(2, `<w:spacing w:before="240" w:after="120" w:line="240" w:lineRule="exact"/><w:ind w:left="1134" w:right="1134" w:hanging="1134"/>`, `<w:b/><w:bCs/>`)+
		heading(3, `<w:spacing w:before="240" w:after="120" w:line="240" w:lineRule="exact"/><w:ind w:left="1134" w:right="1134"/>`, `<w:i/><w:iCs/>`)+
		style("paragraph", "SingleTxtG", "Single Txt_G", "Normal", true, `<w:spacing w:after="120"/><w:ind w:left="1134" w:right="1134"/><w:jc w:val="both"/>`, ``)+
		style("paragraph", "ParaNoG", "Para No_G", "SingleTxtG", true, `<w:numPr><w:numId w:val="1"/></w:numPr><w:tabs><w:tab w:val="left" w:pos="1701"/></w:tabs><w:spacing w:after="120"/><w:ind w:left="1134" w:right="1134" w:firstLine="0"/><w:jc w:val="both"/>`, ``)+
		style("paragraph", "Quote", "Quote", "SingleTxtG", true, `<w:spacing w:after="120"/><w:ind w:left="1701" w:right="1701"/>`, `<w:i/><w:iCs/>`)+
		style("paragraph", "DraftNote", "Draft note", "SingleTxtG", true, `<w:spacing w:after="120"/>`, `<w:b/><w:bCs/><w:color w:val="9C0006"/>`)+
		style("paragraph", "TableText", "Table text", "Normal", true, `<w:spacing w:before="40" w:after="40"/>`, `<w:sz w:val="18"/><w:szCs w:val="18"/>`)+
		style("paragraph", "TableHead", "Table head", "TableText", true, `<w:keepNext/>`, `<w:b/><w:bCs/>`)+
		style("paragraph", "FootnoteText", "footnote text", "Normal", false, `<w:tabs><w:tab w:val="right" w:pos="1021"/></w:tabs><w:spacing w:line="220" w:lineRule="exact"/><w:ind w:left="1134" w:right="1134" w:hanging="1134"/>`, `<w:sz w:val="18"/><w:szCs w:val="18"/>`)+
		style("paragraph", "Footer", "footer", "Normal", false, ``, `<w:sz w:val="16"/><w:szCs w:val="16"/>`)+
		style("character", "FootnoteReference", "footnote reference", "", false, ``, `<w:sz w:val="18"/><w:szCs w:val="18"/><w:vertAlign w:val="superscript"/>`)+
		style("character", "Hyperlink", "Hyperlink", "", false, ``, `<w:color w:val="0000FF"/><w:u w:val="single"/>`)+
		`<w:style w:type="table" w:styleId="ReportTable"><w:name w:val="Report table"/><w:tblPr>`+
		`<w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:left w:val="single" w:sz="4" w:space="0" w:color="auto"/>`+
		`<w:bottom w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:right w:val="single" w:sz="4" w:space="0" w:color="auto"/>`+
		`<w:insideH w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="auto"/></w:tblBorders>`+
		`<w:tblCellMar><w:left w:w="108" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>`+
		`</w:styles>`, attrEscape(lang))
}

func heading(level int, ppr, rpr string) string {
	id := fmt.Sprintf("Heading%d", level)
	return fmt.Sprintf(`<w:style w:type="paragraph" w:styleId="%s"><w:name w:val="heading %d"/><w:basedOn w:val="Normal"/><w:next w:val="SingleTxtG"/><w:uiPriority w:val="9"/><w:qFormat/>`+
		`<w:pPr><w:keepNext/><w:keepLines/>%s<w:outlineLvl w:val="%d"/></w:pPr><w:rPr>%s</w:rPr></w:style>`, id, level, ppr, level-1, rpr)
}

func style(kind, id, name, basedOn string, qformat bool, ppr, rpr string) string {
	s := fmt.Sprintf(`<w:style w:type="%s" w:styleId="%s"`, kind, id)
	if id == "Normal" {
		s += ` w:default="1"`
	}
	s += fmt.Sprintf(`><w:name w:val="%s"/>`, name)
	if basedOn != "" {
		s += fmt.Sprintf(`<w:basedOn w:val="%s"/>`, basedOn)
	}
	if qformat {
		s += `<w:qFormat/>`
	}
	if ppr != "" {
		s += `<w:pPr>` + ppr + `</w:pPr>`
	}
	if rpr != "" {
		s += `<w:rPr>` + rpr + `</w:rPr>`
	}
	return s + `</w:style>`
}
