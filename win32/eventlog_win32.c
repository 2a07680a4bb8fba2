/* eventlog_win32.c -- exsweep's events in the Application log, with their
 * data as separate items that Windows Event Forwarding and SIEM connectors
 * read, not only as one message string.
 *
 * Why classic events with insertion strings, and not a manifest-based
 * provider (EventWrite): a manifest provider's events carry named
 * <Data Name="kind"> items only when the provider's metadata is compiled
 * into a WEVT_TEMPLATE resource of the binary, and that compiler is the
 * Windows SDK's mc.exe -um; mingw-w64's windmc compiles message tables but
 * not instrumentation manifests, and a hand-made WEVT_TEMPLATE is an
 * undocumented binary format. A classic event is written by ReportEventW
 * with any number of insertion strings, and the Event Log keeps each one
 * as a <Data> item of <EventData>, in order: WEF subscriptions filter on
 * them with XPath (*[EventData[Data='webshell']]), and Winlogbeat, Splunk
 * and the Azure Monitor agent index them (param1, param2, ...). So each
 * event carries the message first and then every field's value, in the
 * order of the README's table for its ID (a contract: fields are appended,
 * never reordered); the field names are that table's. The message table
 * compiled into exsweep.exe from win32/exsweep-events.mc (windmc, windres)
 * renders each ID as its %1, the message, and the MSI registers exsweep.exe
 * as the source's EventMessageFile, so Event Viewer shows the text without
 * "the description cannot be found".
 *
 * An unregistered source still logs, under the name given; Event Viewer
 * then only lacks the message text, and the data items are all there.
 */
#include "platform_win32.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* ReportEventW takes at most this many characters per insertion string;
 * longer values are cut (the report has them whole). */
#define EVENT_STRING_MAX 31839

int exs_win32_event_report(const struct exs_event *ev)
{
	WORD type = ev->severity == EXS_EVENT_ERROR ? EVENTLOG_ERROR_TYPE
		  : ev->severity == EXS_EVENT_WARNING ? EVENTLOG_WARNING_TYPE
						      : EVENTLOG_INFORMATION_TYPE;
	size_t n = ev->field_count > EXS_EVENT_FIELDS_MAX ? EXS_EVENT_FIELDS_MAX
							  : ev->field_count;
	wchar_t *text[1 + EXS_EVENT_FIELDS_MAX] = { 0 };
	LPCWSTR strings[1 + EXS_EVENT_FIELDS_MAX];
	int rc = EXS_OK;
	for (size_t i = 0; !rc && i <= n; i++) {
		const char *v = i ? ev->fields[i - 1].value : ev->message;
		rc = exs_win32_wtf8_to_utf16_alloc(v ? v : "", &text[i]);
		if (!rc && wcslen(text[i]) > EVENT_STRING_MAX)
			text[i][EVENT_STRING_MAX] = 0;
		strings[i] = text[i];
	}
	HANDLE source = NULL;
	if (!rc) {
		source = RegisterEventSourceW(NULL, L"exsweep");
		if (!source)
			rc = exs_win32_status(GetLastError());
	}
	if (!rc) {
		if (!ReportEventW(source, type, 0, (DWORD)ev->id, NULL,
				  (WORD)(n + 1), 0, strings, NULL))
			rc = exs_win32_status(GetLastError());
		DeregisterEventSource(source);
	}
	for (size_t i = 0; i <= n; i++)
		free(text[i]);
	return rc;
}
